"""Write resources/demo_project.jsonl: the demo project's documents, written for MTL Studio.

Financial-news sentences and customer messages about invented companies, people and products (real
city names only), with entity spans (ORG, PER, LOC, PRODUCT, MONEY) and a document sentiment
(positive / negative / neutral). Most documents carry both tasks; some only NER, some only
sentiment, as in real projects where two annotation efforts meet. Deterministic: the same seed
writes the same file.

    python resources/demo/make_demo.py            # rewrites resources/demo_project.jsonl
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

SEED = 20240611
N_DOCS = 360
OUT = Path(__file__).resolve().parents[1] / "demo_project.jsonl"

# Invented companies: sector, whether customers visit branches, products with their kind.
COMPANIES: dict[str, dict] = {
    "Quayside Bank": {"branches": True, "products": [("Quayside Saver account", "account"),
                                                     ("Tidal credit card", "card")]},
    "Novacrest Bank": {"branches": True, "products": [("Novacrest Go app", "app"),
                                                      ("Aurora savings account", "account")]},
    "Meridian Mutual": {"branches": True, "products": [("Meridian Home loan", "account"), ("FlexPay card", "card")]},
    "Blue Harbor Insurance": {"branches": False, "products": [("SafeHome policy", "plan"),
                                                              ("DriveWell car cover", "plan")]},
    "Vantor Telecom": {"branches": True, "products": [("Vantor Fibre 500", "plan"), ("Nimbus 5G plan", "plan"),
                                                      ("Lumen X2 router", "device")]},
    "Skyreach Media": {"branches": False, "products": [("Skyreach TV box", "device")]},
    "Corvid Systems": {"branches": False, "products": [("Corvid Cloud", "b2b"), ("Corvid Ledger", "b2b")]},
    "Helix Semiconductors": {"branches": False, "products": [("Helix H9 chip", "b2b")]},
    "Brightline Foods": {"branches": False, "products": [("Brightline Oat Drink", "goods")]},
    "Elmstead Foods": {"branches": False, "products": [("Elmstead Rye Crisps", "goods")]},
    "Solenne Cosmetics": {"branches": True, "products": [("Solenne Night Serum", "goods")]},
    "Pinecrest Retail": {"branches": True, "products": [("Pinecrest Plus membership", "plan"),
                                                        ("Pinecrest Home blender", "device")]},
    "Kestrel Airways": {"branches": False, "products": [("Kestrel Flex fare", "travel")]},
    "Fjordline Ferries": {"branches": False, "products": [("QuickFerry pass", "travel")]},
    "Tessaro Motors": {"branches": True, "products": [("Tessaro E-Line", "device")]},
    "Saltmarsh Logistics": {"branches": False, "products": [("Saltmarsh Express", "b2b")]},
    "Ostberg Steel": {"branches": False, "products": [("Ostberg HX plate", "b2b")]},
    "Talvik Paper": {"branches": False, "products": [("Talvik Kraft board", "b2b")]},
    "Lumora Energy": {"branches": False, "products": [("Lumora Solar roof", "device"),
                                                      ("Lumora Green tariff", "plan")]},
    "Arvella Pharma": {"branches": False, "products": [("Arvella flu vaccine", "b2b")]},
    "Aldercourt Hotels": {"branches": True, "products": [("Aldercourt Rewards", "plan")]},
    "Northwind Capital": {"branches": False, "products": []},
    "Halvorsen Shipping": {"branches": False, "products": []},
    "Granite Peak Mining": {"branches": False, "products": []},
    "Ironbridge Construction": {"branches": False, "products": []},
    "Riverton Utilities": {"branches": False, "products": []},
}
ORGS = sorted(COMPANIES)
BROKERS = ["Carrow & Finch", "Westmark Securities", "Danby Research", "Holloway Partners", "Ridgefield Equity"]
PEOPLE = [
    "Anna Lindqvist", "Marcus Oyelaran", "Sofia Brennan", "Kenji Morimoto", "Elena Varga", "David Achterberg",
    "Priya Raman", "Tomasz Nowicki", "Hannah Okafor", "Lucas Moreau", "Ingrid Solheim", "Rafael Costa",
    "Mei Lin Tan", "Oliver Hartmann", "Amara Diallo", "Jonas Eklund", "Claire Dubois", "Samuel Adeyemi",
]
ROLES = ["chief executive", "chief financial officer", "chair", "head of retail", "chief operating officer"]
CITIES = [
    "Helsinki", "Oslo", "Stockholm", "Frankfurt", "Rotterdam", "Singapore", "Toronto", "Lisbon", "Warsaw",
    "Dublin", "Lyon", "Gothenburg", "Tallinn", "Manchester", "Sydney", "Nairobi", "Osaka", "Austin",
]
REGIONS = ["Germany", "the Nordic countries", "Poland", "Canada", "Southeast Asia", "Brazil", "the United States",
           "Japan", "Kenya", "Spain"]
QUARTERS = ["first-quarter", "second-quarter", "third-quarter", "fourth-quarter", "half-year", "full-year"]
DATES = ["12 February", "3 March", "28 April", "15 May", "30 July", "21 October", "5 November"]
CURRENCIES = ["EUR", "USD", "SEK", "NOK", "GBP"]

ANY = None  # any product kind
GOODS = {"device", "goods"}
SELLABLE = {"device", "goods", "b2b"}
BANKING = {"account", "card", "app"}
CONTRACTS = {"plan", "account", "card"}

# (template, product kinds the template makes sense for, needs branches). Slots: {ORG}, {ORG2},
# {BROKER} -> ORG; {PER} -> PER; {CITY}, {CITY2}, {REGION} -> LOC; {PRODUCT} -> PRODUCT (a product of
# {ORG}); {MONEY}, {MONEY2} -> MONEY. {PCT}, {NUM}, {QUARTER}, {DATE}, {ROLE} are plain text.
TEMPLATES: dict[str, list[tuple[str, set[str] | None, bool]]] = {
    "positive": [
        ("{ORG} shares rose {PCT} after the company raised its full-year outlook.", ANY, False),
        ("{ORG} reported a {QUARTER} net profit of {MONEY}, ahead of analyst estimates.", ANY, False),
        ("{PER}, {ROLE} of {ORG}, said demand for the {PRODUCT} remained strong in {REGION}.", ANY, False),
        ("{ORG} won a {MONEY} contract to supply {ORG2} with the {PRODUCT}.", {"b2b"}, False),
        ("{ORG} will open a new distribution centre in {CITY}, creating {NUM} jobs.", ANY, False),
        ("{BROKER} upgraded {ORG} to buy, citing strong sales of the {PRODUCT}.", ANY, False),
        ("{ORG} agreed to buy {ORG2} for {MONEY}, a premium that lifted both stocks.", ANY, False),
        ("Operating profit at {ORG} rose to {MONEY} from {MONEY2} a year earlier.", ANY, False),
        ("{ORG} raised its dividend by {PCT} after a record {QUARTER} in {REGION}.", ANY, False),
        ("Orders for the {PRODUCT} doubled in {REGION}, {PER} told investors in {CITY}.", SELLABLE, False),
        ("{ORG} cut its net debt to {MONEY} and said margins would keep improving.", ANY, False),
        ("Thanks {ORG}! My {PRODUCT} arrived in {CITY} two days early 😀", GOODS, False),
        ("Shout-out to {PER} at the {ORG} branch in {CITY}, sorted my card problem in five minutes.", ANY, True),
        ("Switched to the {PRODUCT} last month and my bills are already {MONEY} lower. Very happy.",
         {"plan"}, False),
        ("The new {PRODUCT} from {ORG} is fast and setup took ten minutes. Recommended 👍", {"device", "app"},
         False),
        ("{ORG} refunded the {MONEY} within a day, great service.", ANY, False),
        ("Booked the {PRODUCT} to {CITY} and {ORG} upgraded my seat for free. Lovely crew!", {"travel"}, False),
    ],
    "negative": [
        ("{ORG} will cut {NUM} jobs in {CITY} as orders for the {PRODUCT} slumped.", SELLABLE, False),
        ("{ORG} shares fell {PCT} after {PER} resigned as {ROLE}.", ANY, False),
        ("{ORG} swung to a {QUARTER} loss of {MONEY} on weak demand in {REGION}.", ANY, False),
        ("Regulators in {REGION} fined {ORG} {MONEY} over misleading marketing of the {PRODUCT}.", ANY, False),
        ("{ORG} recalled {NUM} units of the {PRODUCT} after reports of overheating.", {"device"}, False),
        ("{BROKER} downgraded {ORG} to sell, warning that margins in {REGION} would shrink.", ANY, False),
        ("{ORG} withdrew its guidance and said sales could fall by {MONEY} this year.", ANY, False),
        ("Net sales at {ORG} decreased to {MONEY} from {MONEY2}, hurt by the strike in {CITY}.", ANY, False),
        ("{ORG} postponed the launch of the {PRODUCT} for the second time.", ANY, False),
        ("Still waiting for my {MONEY} refund from {ORG}, three weeks now.", ANY, False),
        ("The {ORG} app keeps logging me out since the update. Fix it!", BANKING | {"plan"}, True),
        ("Was charged {MONEY} twice for one order. {ORG} support in {CITY} just keeps me on hold 😡", ANY, False),
        ("My {PRODUCT} stopped working after four days and nobody at {ORG} answers emails.", {"device"}, False),
        ("{ORG} closed the branch in {CITY} without telling customers. Really poor.", ANY, True),
        ("Third cancellation this week, {ORG}. The {PRODUCT} is not worth {MONEY}.", {"travel"}, False),
        ("The {PRODUCT} charged me a {MONEY} fee nobody told me about.", BANKING, False),
    ],
    "neutral": [
        ("{ORG} will publish its {QUARTER} results on {DATE}.", ANY, False),
        ("{PER} was appointed {ROLE} of {ORG}, effective {DATE}.", ANY, False),
        ("{ORG} said it is reviewing options for its operations in {REGION}.", ANY, False),
        ("{ORG} priced a {MONEY} bond due 2031.", ANY, False),
        ("{ORG} moved its head office from {CITY} to {CITY2}.", ANY, False),
        ("The annual general meeting of {ORG} will be held in {CITY} on {DATE}.", ANY, False),
        ("{ORG} and {ORG2} signed a framework agreement on the {PRODUCT}; terms were not disclosed.", {"b2b"},
         False),
        ("{ORG} has {NUM} employees and operates in {REGION}.", ANY, False),
        ("{PER} will present the {PRODUCT} at the trade fair in {CITY}.", SELLABLE, False),
        ("The board of {ORG} proposes a dividend of {DIVIDEND} per share, unchanged from last year.", ANY, False),
        ("Does the {PRODUCT} work with accounts opened in {REGION}?", BANKING, False),
        ("Hi {ORG}, can I change the delivery address for my {PRODUCT} order?", GOODS, False),
        ("Is the {ORG} branch in {CITY} open on Saturday?", ANY, True),
        ("How long does a transfer of {MONEY} to {REGION} take with the {PRODUCT}?", BANKING, False),
        ("Please send me the terms of the {PRODUCT}, {PER} mentioned them on the phone.", CONTRACTS, False),
    ],
}
SLOT_TYPES = {"ORG": "ORG", "ORG2": "ORG", "BROKER": "ORG", "PER": "PER", "CITY": "LOC", "CITY2": "LOC",
              "REGION": "LOC", "PRODUCT": "PRODUCT", "MONEY": "MONEY", "MONEY2": "MONEY", "DIVIDEND": "MONEY"}


def _money_pair(rng: random.Random) -> tuple[str, str]:
    """Two amounts in one currency and scale (a figure and its comparison a year earlier)."""
    cur = rng.choice(CURRENCIES)
    style = rng.random()
    if style < 0.55:
        a, b = rng.uniform(2, 950), rng.uniform(2, 950)
        return f"{cur} {a:.1f} million", f"{cur} {b:.1f} million"
    if style < 0.7:
        a, b = rng.uniform(1, 9.9), rng.uniform(1, 9.9)
        return f"{cur} {a:.1f} billion", f"{cur} {b:.1f} billion"
    symbol = {"EUR": "€", "USD": "$", "GBP": "£"}.get(cur)
    a, b = rng.randint(12, 990), rng.randint(12, 990)
    if symbol:
        return f"{symbol}{a}", f"{symbol}{b}"
    return f"{a} {cur}", f"{b} {cur}"


def _fill(template: tuple[str, set[str] | None, bool], rng: random.Random) -> tuple[str, list[dict]]:
    """Fill the template left to right, recording the offsets of every entity slot."""
    pattern, kinds, branches = template
    needs_product = "{PRODUCT}" in pattern
    orgs = [name for name, c in COMPANIES.items()
            if (not branches or c["branches"])
            and (not needs_product or c["products"])
            and (kinds is None or any(k in kinds for _, k in c["products"]))]
    org = rng.choice(orgs)
    products = [p for p, k in COMPANIES[org]["products"] if kinds is None or k in kinds]
    org2 = rng.choice([o for o in ORGS if o != org])
    city, city2 = rng.sample(CITIES, 2)
    money, money2 = _money_pair(rng)
    values = {
        "ORG": org, "ORG2": org2, "BROKER": rng.choice(BROKERS), "PER": rng.choice(PEOPLE),
        "CITY": city, "CITY2": city2, "REGION": rng.choice(REGIONS),
        "PRODUCT": rng.choice(products) if products else "", "MONEY": money, "MONEY2": money2,
        "DIVIDEND": f"{rng.choice(CURRENCIES)} {rng.uniform(0.1, 2.5):.2f}",
        "PCT": f"{rng.randint(1, 19)}.{rng.randint(0, 9)}%",
        "NUM": f"{rng.choice([40, 120, 250, 300, 480, 900, 1200, 2500]):,}", "QUARTER": rng.choice(QUARTERS),
        "DATE": rng.choice(DATES), "ROLE": rng.choice(ROLES),
    }
    text, spans, pos = "", [], 0
    for m in re.finditer(r"\{(\w+)\}", pattern):
        text += pattern[pos:m.start()]
        value = values[m.group(1)]
        if m.group(1) in SLOT_TYPES:
            spans.append({"start": len(text), "end": len(text) + len(value), "label": SLOT_TYPES[m.group(1)]})
        text += value
        pos = m.end()
    text += pattern[pos:]
    return text[0].upper() + text[1:], spans


def make_documents(n: int = N_DOCS, seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    docs: list[dict] = []
    seen: set[str] = set()
    sentiments = ["positive"] * 3 + ["negative"] * 3 + ["neutral"] * 4
    while len(docs) < n:
        sentiment = rng.choice(sentiments)
        text, spans = _fill(rng.choice(TEMPLATES[sentiment]), rng)
        if text in seen:
            continue
        seen.add(text)
        kind = rng.random()
        rec: dict = {"text": text}
        if kind < 0.7:  # both tasks
            rec.update(spans=spans, sentiment=sentiment)
        elif kind < 0.85:  # NER only
            rec.update(spans=spans)
        else:  # sentiment only
            rec.update(sentiment=sentiment)
        rec["meta"] = {"kind": "customer message" if _is_message(text) else "news"}
        docs.append(rec)
    return docs


def _is_message(text: str) -> bool:
    return bool(re.search(r"\b(my|me|I|Hi|Thanks|Please)\b|\?|!", text))


def main() -> None:
    docs = make_documents()
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        for rec in docs:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {len(docs)} documents to {OUT}")


if __name__ == "__main__":
    main()
