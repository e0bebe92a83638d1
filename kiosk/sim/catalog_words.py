"""The words, numbers and store settings the catalog generator builds a realistic shop from."""

from __future__ import annotations

from typing import Any, NamedTuple

from kiosk.core.money import exponent

SIZES = ("XS", "S", "M", "L", "XL", "XXL")
COLOURS = (
    ("Black", "BLK"),
    ("White", "WHT"),
    ("Navy", "NVY"),
    ("Grey", "GRY"),
    ("Charcoal", "CHR"),
    ("Red", "RED"),
    ("Forest Green", "FGN"),
    ("Mustard", "MUS"),
    ("Sky Blue", "SKY"),
    ("Pink", "PNK"),
    ("Oatmeal", "OAT"),
    ("Burgundy", "BUR"),
)
MAX_VARIATIONS = len(SIZES) * len(COLOURS)
SIZE_ATTRIBUTE = {"id": 1, "name": "Size", "slug": "pa_size"}
COLOUR_ATTRIBUTE = {"id": 2, "name": "Colour", "slug": "pa_colour"}

ADJECTIVES = (
    "Classic", "Rustic", "Vintage", "Modern", "Handmade", "Artisan", "Everyday", "Signature",
    "Heritage", "Coastal", "Nordic", "Cosy", "Minimal", "Bold", "Little", "Grand", "Wild",
    "Botanical", "Seasonal", "Organic", "Speckled", "Striped", "Bright", "Midnight", "Sunrise",
    "Meadow", "Harbour", "Cornish", "Highland", "Countryside", "Urban", "Studio", "Original",
    "Deluxe", "Simple", "Woodland", "Garden", "Autumn", "Winter", "Summer",
)  # fmt: skip
SUFFIXES = ("", "", "", "", "", "", "Gift Set", "Twin Pack", "Large", "Small", "Mini")


class CategorySpec(NamedTuple):
    name: str
    slug: str
    parent: str  # slug of the parent category, "" for top level
    sku: str  # SKU prefix
    tax_class: str
    low: int  # price range in major units
    high: int
    materials: tuple[str, ...]
    nouns: tuple[str, ...]
    apparel: bool = False  # variable products (Size x Colour) come from these
    isbn: bool = False  # barcodes are ISBN-13 (978...)


# UK VAT: food, books and children's clothing are zero-rated; car seats and mobility aids 5 %.
CATEGORIES = (
    CategorySpec("Coffee", "coffee", "", "COF", "zero-rate", 5, 18,
              ("Ethiopian", "Colombian", "Brazilian", "Kenyan", "Guatemalan", "Sumatran",
               "House", "Decaf"),
              ("Coffee Beans", "Ground Coffee", "Espresso Blend", "Filter Roast", "Cold Brew")),
    CategorySpec("Tea", "tea", "", "TEA", "zero-rate", 3, 14,
              ("Assam", "Darjeeling", "Earl Grey", "Ceylon", "Green", "Rooibos", "Peppermint",
               "Chamomile"),
              ("Loose Leaf Tea", "Tea Bags", "Herbal Infusion", "Chai Blend")),
    CategorySpec("Kitchen", "kitchen", "", "KIT", "", 6, 60,
              ("Ceramic", "Stoneware", "Enamel", "Oak", "Bamboo", "Glass", "Copper", "Porcelain"),
              ("Mug", "Teapot", "Cafetiere", "Chopping Board", "Tea Towel", "Serving Bowl",
               "Milk Jug", "Coaster Set")),
    CategorySpec("Home", "home", "", "HOM", "", 8, 90,
              ("Linen", "Wool", "Cotton", "Rattan", "Terracotta", "Brass", "Jute", "Velvet"),
              ("Candle", "Cushion", "Throw", "Vase", "Photo Frame", "Plant Pot", "Doormat",
               "Wall Clock")),
    CategorySpec("Stationery", "stationery", "", "STA", "", 2, 30,
              ("Recycled", "Leather", "Kraft", "Linen", "Cork", "Dotted", "Hardback", "Pocket"),
              ("Notebook", "Journal", "Pen Set", "Pencil Case", "Desk Planner", "Sketchbook",
               "Bookmark", "Washi Tape")),
    CategorySpec("Cards & Wrap", "cards-wrap", "", "CRD", "", 2, 12,
              ("Letterpress", "Foiled", "Hand-Drawn", "Watercolour", "Recycled", "Glitter"),
              ("Birthday Card", "Thank You Card", "Wedding Card", "Gift Wrap", "Gift Tag Set",
               "Christmas Card Pack")),
    CategorySpec("Books", "books", "", "BK", "zero-rate", 6, 30,
              ("Illustrated", "Pocket", "Hardback", "Paperback", "Collector's", "Bestselling"),
              ("Cookbook", "Novel", "Travel Guide", "Poetry Collection", "Field Guide",
               "Puzzle Book"), isbn=True),
    CategorySpec("Children's Books", "childrens-books", "books", "KBK", "zero-rate", 4, 15,
              ("Picture", "Bedtime", "Pop-Up", "Lift-the-Flap", "Board", "Activity"),
              ("Story Book", "Sticker Book", "First Words Book", "Colouring Book",
               "Fairy Tales"), isbn=True),
    CategorySpec("Toys & Games", "toys-games", "", "TOY", "", 5, 45,
              ("Wooden", "Felt", "Cardboard", "Knitted", "Tin", "Cotton"),
              ("Jigsaw Puzzle", "Board Game", "Card Game", "Train Set", "Plush Bear", "Kite")),
    CategorySpec("Biscuits & Cakes", "biscuits-cakes", "", "BIS", "zero-rate", 2, 12,
              ("Butter", "Chocolate Chip", "Lemon", "Ginger", "Salted Caramel", "Almond"),
              ("Shortbread", "Flapjack", "Brownie", "Biscotti", "Oat Cookies", "Fruit Cake")),
    CategorySpec("Confectionery", "confectionery", "", "CON", "", 2, 10,
              ("Dark", "Milk", "Sea Salt", "Raspberry", "Orange", "Honeycomb"),
              ("Chocolate Bar", "Fudge", "Truffles", "Toffee", "Mints")),
    CategorySpec("Clothing", "clothing", "", "CLO", "", 15, 60,
              ("Organic Cotton", "Merino", "Linen", "Fleece"),
              ("Apron", "Scarf", "Gloves")),
    CategorySpec("T-Shirts", "t-shirts", "clothing", "TSH", "", 12, 35,
              ("Organic Cotton", "Bamboo", "Linen", "Heavyweight", "Slub"),
              ("T-Shirt", "Long Sleeve Tee", "Ringer Tee", "Pocket Tee"), apparel=True),
    CategorySpec("Hoodies & Sweatshirts", "hoodies-sweatshirts", "clothing", "HOD", "", 30, 70,
              ("Organic Cotton", "Brushed Fleece", "Loopback", "Recycled"),
              ("Hoodie", "Zip Hoodie", "Sweatshirt"), apparel=True),
    CategorySpec("Children's Clothing", "childrens-clothing", "clothing", "KCL", "zero-rate", 8, 30,
              ("Organic Cotton", "Bamboo", "Fleece", "Knitted"),
              ("Kids' T-Shirt", "Kids' Hoodie", "Baby Romper", "Kids' Jumper"), apparel=True),
    CategorySpec("Car Seats & Safety", "car-seats-safety", "", "SAF", "reduced-rate", 25, 180,
              ("Padded", "Convertible", "Lightweight", "Folding"),
              ("Child Car Seat", "Booster Seat", "Walking Stick", "Grab Rail")),
)  # fmt: skip

TAX_RATES = (("standard", "20.0000", "VAT"), ("reduced-rate", "5.0000", "VAT (5%)"),
              ("zero-rate", "0.0000", "VAT (0%)"))  # fmt: skip
LOCALES = {"GBP": "en_GB", "EUR": "en_IE", "USD": "en_US", "JPY": "ja_JP"}
FIRST_NAMES = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Freya", "Grace", "Sophia",
    "Noah", "Oliver", "George", "Arthur", "Leo", "Harry", "Oscar", "Archie", "Henry", "Theo",
    "Priya", "Aisha", "Mohammed", "Yusuf", "Chen", "Wei", "Siobhan", "Rhys", "Eilidh", "Callum",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Wood", "Jackson", "Clarke", "Khan", "Hughes", "Edwards", "Murphy", "Campbell", "Lewis",
    "Morgan", "Price", "Kaur",
)  # fmt: skip
TOWNS = (("Bristol", "BS1 4DJ"), ("Bath", "BA1 1LT"), ("Cardiff", "CF10 1EP"),
          ("Gloucester", "GL1 2EH"), ("Swindon", "SN1 1BD"))  # fmt: skip


def shop_options(currency: str) -> dict[str, str]:
    """The store's settings, as /settings/general and /settings/tax give them."""
    return {
        "woocommerce_store_address": "12 Harbourside",
        "woocommerce_store_city": "Bristol",
        "woocommerce_store_postcode": "BS1 5TX",
        "woocommerce_default_country": "GB",
        "woocommerce_currency": currency,
        "woocommerce_price_num_decimals": str(exponent(currency)),
        "woocommerce_calc_taxes": "yes",
        "woocommerce_prices_include_tax": "yes",
        "woocommerce_tax_based_on": "base",
        "woocommerce_tax_round_at_subtotal": "no",
        "woocommerce_tax_display_shop": "incl",
        "woocommerce_tax_display_cart": "incl",
    }


def tax_rate_objects() -> list[dict[str, Any]]:
    """UK VAT at 20, 5 and 0 %, as /taxes lists them."""
    return [
        {
            "id": i + 1,
            "country": "GB",
            "state": "",
            "postcode": "",
            "city": "",
            "postcodes": [],
            "cities": [],
            "rate": rate,
            "name": name,
            "priority": 1,
            "compound": False,
            "shipping": tax_class == "standard",
            "order": i,
            "class": tax_class,
        }
        for i, (tax_class, rate, name) in enumerate(TAX_RATES)
    ]
