"""Cooking topics for the demo content bank."""

from __future__ import annotations

from prefsight.apps.demo.bank.types import DomainBank, Topic

_TOPICS = (
    Topic(
        title="Roasting {x}",
        keyword="roasting",
        prompts=(
            "How do I roast {x} so they come out crispy instead of soggy?",
            "My roasted {x} always turn out limp. What am I doing wrong?",
            "What oven temperature and method should I use for roasting {x}?",
        ),
        slot=("carrots", "potatoes", "brussels sprouts", "sweet potatoes", "parsnips"),
        cores=(
            "Crispy roasted {x} come down to high heat, dry surfaces and enough space on the pan.",
            "Soggy {x} are usually steamed rather than roasted, so the fix is more heat "
            "and less crowding.",
        ),
        details=(
            "Set the oven to around 220 degrees Celsius and let it preheat fully before the "
            "tray goes in.",
            "Cut the {x} into pieces of a similar size so they finish cooking at the same time.",
            "Pat everything dry after washing, because surface water turns into steam.",
            "Toss the pieces in just enough oil to coat them lightly, then season with salt.",
            "Spread them in a single layer with gaps between pieces, using two trays if needed.",
            "Turn them once halfway through so both sides get a chance to brown.",
            "Putting the empty tray in the oven while it heats gives you a head start on browning.",
        ),
    ),
    Topic(
        title="Cooking {x}",
        keyword="rice",
        prompts=(
            "How do I cook {x} on the stove without it turning mushy?",
            "What's the right water ratio for {x}?",
            "My {x} is either crunchy or sticky. How do I get it right?",
        ),
        slot=("long-grain white rice", "basmati rice", "jasmine rice", "brown rice"),
        cores=(
            "Good {x} depends on rinsing, measuring the water and leaving the lid alone.",
            "Most problems with {x} come from too much water or from lifting the lid "
            "while it steams.",
        ),
        details=(
            "Rinse the grains in a sieve until the water runs mostly clear to remove loose starch.",
            "A ratio of roughly one and a half cups of water per cup of rice works for most "
            "white varieties, while brown rice needs closer to two.",
            "Bring the water to a boil, add the rice and a pinch of salt, then drop the heat "
            "to low.",
            "Keep the lid on for the whole cooking time so the steam stays in the pot.",
            "Once the timer ends, take the pot off the heat and let it rest covered for ten "
            "minutes.",
            "Fluff the grains with a fork rather than a spoon so they stay separate.",
            "If the bottom scorches, your burner is probably too hot even on its lowest "
            "setting, and a heat diffuser helps.",
        ),
    ),
    Topic(
        title="Reviving a sourdough starter made with {x}",
        keyword="sourdough",
        prompts=(
            "My sourdough starter made with {x} has stopped rising. How can I revive it?",
            "I feed my {x} starter every day but it barely bubbles. What should I change?",
        ),
        slot=("rye flour", "whole wheat flour", "bread flour", "all-purpose flour"),
        cores=(
            "A sluggish starter usually needs a warmer spot and a more regular feeding schedule.",
            "Starters that stop rising are rarely dead; they are often just cold or underfed.",
        ),
        details=(
            "Discard all but a spoonful and feed it equal weights of {x} and water.",
            "Keep the jar somewhere around 24 to 26 degrees Celsius, such as near the oven light.",
            "Use filtered or rested tap water if your water is heavily chlorinated.",
            "Feed it twice a day for several days and mark the level on the jar with a rubber "
            "band.",
            "A layer of grey liquid on top just means it is hungry, so pour it off and feed it.",
            "Adding a spoonful of whole grain flour gives the yeast extra nutrients to work with.",
            "Once it doubles within six to eight hours of feeding, it is ready for baking again.",
        ),
    ),
    Topic(
        title="Searing {x}",
        keyword="searing",
        prompts=(
            "How do I get a proper golden sear on {x}?",
            "Why do my {x} stick to the pan and come out grey instead of browned?",
        ),
        slot=("steaks", "pork chops", "scallops", "salmon fillets", "chicken thighs"),
        cores=(
            "A good sear needs a very hot pan, a dry surface and the patience not to move the "
            "meat too early.",
            "Grey, stuck {x} usually mean the pan was not hot enough or the surface was wet.",
        ),
        details=(
            "Take the {x} out of the fridge a little before cooking and pat them completely dry.",
            "Heat a heavy skillet until a drop of water skates across the surface.",
            "Add a thin layer of oil with a high smoke point, such as sunflower or canola.",
            "Lay the pieces away from you and leave them alone for a few minutes.",
            "When the crust has formed, they release from the pan on their own.",
            "Cook in batches if needed, because crowding drops the temperature of the pan.",
            "Salt shortly before cooking, or well in advance, but not ten minutes before, "
            "when moisture is sitting on the surface.",
        ),
    ),
    Topic(
        title="Keeping a {x} sharp",
        keyword="knife-care",
        prompts=(
            "How do I keep my {x} sharp between sharpenings?",
            "My {x} got dull quickly. How should I take care of it?",
        ),
        slot=("chef's knife", "santoku", "paring knife", "bread knife"),
        cores=(
            "Most of keeping a {x} sharp is about what it touches and how it is stored.",
            "Edges dull fastest from hard cutting boards, dishwashers and drawers, so avoid "
            "all three.",
        ),
        details=(
            "Use a wooden or plastic board rather than glass, stone or ceramic.",
            "Wash the blade by hand, dry it straight away and never leave it in the sink.",
            "Store it on a magnetic strip, in a block or with a blade guard.",
            "A honing rod realigns the edge and can be used every few uses.",
            "Honing is not sharpening, so the edge will still need a whetstone once or twice "
            "a year.",
            "Scraping food off the board with the edge rolls it over, so use the spine instead.",
            "If the blade slides off a tomato skin, that is a sign it is time to sharpen.",
        ),
    ),
    Topic(
        title="Replacing eggs in {x}",
        keyword="baking-substitutes",
        prompts=(
            "What can I use instead of eggs in {x}?",
            "I'm out of eggs. Is there a good egg substitute for {x}?",
        ),
        slot=("brownies", "pancakes", "muffins", "banana bread", "oatmeal cookies"),
        cores=(
            "There are several reliable egg substitutes for {x}, and the best one depends on "
            "whether the egg is binding or adding lift.",
            "Eggs in {x} mainly bind and moisten, so a few pantry swaps work well.",
        ),
        details=(
            "A flax egg is one tablespoon of ground flaxseed mixed with three tablespoons of "
            "water and left for five minutes.",
            "A quarter cup of unsweetened applesauce replaces one egg and adds moisture.",
            "Mashed ripe banana works too, though it adds some banana flavour.",
            "Three tablespoons of aquafaba, the liquid from a can of chickpeas, behaves much "
            "like egg white.",
            "Plain yogurt or buttermilk can stand in for one egg at about a quarter cup each.",
            "If the recipe uses more than two eggs, substitutes tend to give a denser result.",
            "Add an extra quarter teaspoon of baking powder if you want to make up for lost lift.",
        ),
    ),
    Topic(
        title="Making stock from {x}",
        keyword="stock",
        prompts=(
            "How do I make a good homemade stock from {x}?",
            "What's the process for turning {x} into stock?",
        ),
        slot=("chicken bones", "vegetable scraps", "beef bones", "a turkey carcass"),
        cores=(
            "Homemade stock from {x} takes little effort, mostly time at a gentle simmer.",
            "The key to stock from {x} is starting with cold water and never letting it boil hard.",
        ),
        details=(
            "Put everything in a large pot and cover it with cold water by a few centimetres.",
            "Add an onion, a carrot, a stick of celery, a bay leaf and some peppercorns.",
            "Bring it slowly to a simmer and skim off any foam that rises early on.",
            "Keep it at a bare simmer, since a rolling boil makes the stock cloudy and greasy.",
            "Bones need three to six hours, while vegetable stock is done in about an hour.",
            "Strain it through a fine sieve and cool it quickly in a shallow container.",
            "Leave out salt until you use it, so you can reduce it later without it becoming "
            "too salty.",
        ),
    ),
    Topic(
        title="Storing fresh {x}",
        keyword="herbs",
        prompts=(
            "How should I store fresh {x} so it doesn't wilt in two days?",
            "What's the best way to keep {x} fresh in the kitchen?",
        ),
        slot=("basil", "cilantro", "parsley", "mint", "dill"),
        cores=(
            "Fresh {x} lasts much longer when you treat the bunch like cut flowers.",
            "The two enemies of fresh {x} are trapped moisture and drying out, so aim for "
            "something in between.",
        ),
        details=(
            "Trim the ends of the stems and stand the bunch in a glass with a little water.",
            "Cover the leaves loosely with a plastic bag and change the water every couple of "
            "days.",
            "Basil dislikes the cold, so it keeps better on the counter than in the fridge.",
            "Tender herbs can also be wrapped in a barely damp paper towel inside a container.",
            "Wash the leaves only just before using them, since wet leaves rot faster.",
            "If you have more than you can use, chop it and freeze it in oil in an ice cube tray.",
            "Remove any yellow or slimy leaves as soon as you see them so they don't spread.",
        ),
    ),
    Topic(
        title="Cooking dried {x}",
        keyword="legumes",
        prompts=(
            "How do I cook dried {x} from scratch?",
            "Do I really need to soak dried {x}, and how long do they take to cook?",
        ),
        slot=("chickpeas", "black beans", "kidney beans", "cannellini beans"),
        cores=(
            "Dried {x} are cheap and tasty, and cooking them is mostly hands-off.",
            "Soaking dried {x} is optional but it shortens the cooking time and helps them "
            "cook evenly.",
        ),
        details=(
            "Rinse them and pick out any small stones or shrivelled ones.",
            "Soak them overnight in plenty of water, or do a quick soak by boiling for two "
            "minutes and resting for an hour.",
            "Drain the soaking water and cover them with fresh water by a few centimetres.",
            "Simmer gently for one to two hours until they are creamy inside.",
            "Kidney beans need a hard boil for ten minutes first to destroy a natural toxin.",
            "Add salt to the cooking water, which seasons them throughout and does not stop "
            "them softening.",
            "Acidic ingredients like tomato slow softening, so add them once the beans are tender.",
        ),
    ),
    Topic(
        title="Caring for a cast iron {x}",
        keyword="cast-iron",
        prompts=(
            "How do I clean and look after a cast iron {x}?",
            "My cast iron {x} has some rust spots. How do I fix it and keep it seasoned?",
        ),
        slot=("skillet", "dutch oven", "griddle", "grill pan"),
        cores=(
            "A cast iron {x} is easy to care for once you stop treating it like a normal pan.",
            "Rust on a cast iron {x} is fixable with some scrubbing and a fresh layer of "
            "seasoning.",
        ),
        details=(
            "Clean it while it is still warm with hot water and a brush or scraper.",
            "A small amount of dish soap is fine on a well-seasoned surface.",
            "Dry it completely, ideally by warming it on the stove for a minute.",
            "Rub a very thin layer of oil over the inside while it is still warm.",
            "For rust, scrub the spots with steel wool until you reach bare metal.",
            "Re-season by baking it upside down with a thin coat of oil at a high temperature "
            "for an hour.",
            "Cooking fatty foods in it regularly builds the seasoning up over time.",
        ),
    ),
    Topic(
        title="Thickening {x}",
        keyword="thickening",
        prompts=(
            "My {x} is too thin. How can I thicken it?",
            "What's the best way to thicken a watery {x} without ruining the flavour?",
        ),
        slot=("soup", "stew", "gravy", "curry", "chili"),
        cores=(
            "There are a few easy ways to thicken {x}, depending on how much time you have.",
            "A watery {x} can be fixed either by reducing it or by adding a starch.",
        ),
        details=(
            "Simmering it uncovered lets water evaporate and concentrates the flavour.",
            "A slurry of one tablespoon of cornstarch whisked into cold water thickens it in a "
            "minute or two.",
            "Flour works as well but needs a few minutes of cooking to lose its raw taste.",
            "Mashing some of the potatoes or beans already in the pot adds body without extra "
            "ingredients.",
            "A knob of butter mixed with equal flour, stirred in at the end, gives a glossy "
            "finish.",
            "Add any thickener gradually, since it keeps thickening as it cools.",
            "Blending a cup of it and stirring it back in also works well.",
        ),
    ),
    Topic(
        title="Cookies that spread: {x}",
        keyword="cookies",
        prompts=(
            "Why do my {x} spread into thin flat discs in the oven?",
            "How do I stop my {x} from spreading so much?",
        ),
        slot=("chocolate chip cookies", "peanut butter cookies", "sugar cookies", "snickerdoodles"),
        cores=(
            "Cookies that spread too much usually have butter that was too warm or too little "
            "flour.",
            "Flat {x} are a common problem, and it is usually about temperature and measurement.",
        ),
        details=(
            "Chill the dough for at least thirty minutes before baking.",
            "Measure flour by spooning it into the cup and levelling it, or better, weigh it.",
            "Use butter that is soft but still cool, not shiny or melting.",
            "Bake on a cool baking sheet rather than one that just came out of the oven.",
            "Parchment paper gives more grip than a greased tray, so cookies spread less.",
            "Check your oven temperature with an oven thermometer, since many run cool.",
            "Too much sugar relative to flour also makes the dough spread further.",
        ),
    ),
    Topic(
        title="Freezing {x}",
        keyword="freezing",
        prompts=(
            "What's the right way to freeze {x} so it tastes fine later?",
            "Can I freeze {x}, and how do I do it without freezer burn?",
        ),
        slot=("bread", "cooked rice", "homemade soup", "fresh berries", "cookie dough"),
        cores=(
            "You can freeze {x} well as long as you cool it quickly and keep air away from it.",
            "Freezer burn comes from air contact, so the trick with {x} is airtight packing.",
        ),
        details=(
            "If it was cooked, let it cool completely before it goes into the freezer.",
            "Portion it into the amounts you will actually use, so you only thaw what you need.",
            "Squeeze as much air as you can out of freezer bags before sealing them.",
            "Label each bag with what it is and the date.",
            "Freeze loose items on a tray first so they don't clump together.",
            "Most things keep their quality for two to three months.",
            "Thaw it overnight in the fridge rather than on the counter.",
        ),
    ),
    Topic(
        title="Caramelizing {x}",
        keyword="caramelizing",
        prompts=(
            "How do I properly caramelize {x}?",
            "My caramelized {x} burn before they turn sweet. What's the trick?",
        ),
        slot=("yellow onions", "red onions", "sweet onions", "shallots"),
        cores=(
            "Caramelizing {x} is slow work, and low, steady heat is what makes it work.",
            "If your {x} burn before they sweeten, the heat is too high.",
        ),
        details=(
            "Slice them evenly so the pieces cook at the same rate.",
            "Use a wide pan with enough butter or oil to coat the bottom.",
            "Cook them over medium-low heat and stir every few minutes.",
            "Expect it to take thirty to forty-five minutes for a deep brown colour.",
            "A pinch of salt at the start draws out moisture and speeds things up.",
            "When brown bits stick to the pan, deglaze with a splash of water.",
            "A small pinch of sugar can help, but it is not necessary.",
        ),
    ),
)

BANK = DomainBank(name="cooking", field="Culinary Science", topics=_TOPICS)
