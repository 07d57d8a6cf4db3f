"""Gardening topics for the demo content bank."""

from __future__ import annotations

from prefsight.apps.demo.bank.types import DomainBank, Topic

_TOPICS = (
    Topic(
        title="Growing {x} in containers",
        keyword="container-gardening",
        prompts=(
            "Can I grow {x} in pots on a balcony, and how?",
            "What do I need to know about growing {x} in containers?",
        ),
        slot=("tomatoes", "strawberries", "chilli peppers", "potatoes", "lettuce"),
        cores=(
            "Growing {x} in containers works well if the pot is big enough and you keep up "
            "with watering.",
            "Containers suit {x} nicely, with the main challenges being water and nutrients.",
        ),
        details=(
            "Choose a pot with drainage holes and as much volume as you can manage.",
            "Use fresh potting mix rather than garden soil, which compacts in pots.",
            "Place the pots where they get at least six hours of sun.",
            "Containers dry out quickly, so check the soil every day in warm weather.",
            "Feed with a liquid fertiliser every week or two once plants are growing well.",
            "Water the soil rather than the leaves to reduce disease.",
            "Group pots together to create a slightly more humid microclimate.",
        ),
    ),
    Topic(
        title="Yellow leaves on {x}",
        keyword="plant-problems",
        prompts=(
            "Why are the leaves on my {x} turning yellow?",
            "My {x} has yellowing leaves. What's wrong with it?",
        ),
        slot=("tomato plant", "monstera", "peace lily", "lemon tree", "fiddle-leaf fig"),
        cores=(
            "Yellow leaves on a {x} most often point to watering problems, though nutrients "
            "and light play a part.",
            "Yellowing on a {x} is a symptom with several possible causes, so check the "
            "basics first.",
        ),
        details=(
            "Feel the soil a few centimetres down before watering again.",
            "Soggy soil and yellow lower leaves suggest overwatering or poor drainage.",
            "Dry, crispy yellow leaves suggest the plant is too dry.",
            "Older leaves yellowing evenly can mean a lack of nitrogen.",
            "A sudden move to lower light often causes some leaf drop.",
            "Check under the leaves for pests such as spider mites.",
            "Remove badly yellowed leaves, since they will not turn green again.",
        ),
    ),
    Topic(
        title="Starting {x} from seed",
        keyword="seed-starting",
        prompts=(
            "How do I start {x} from seed indoors?",
            "My {x} seedlings keep failing. How should I start them?",
        ),
        slot=("tomatoes", "peppers", "basil", "sunflowers", "cucumbers"),
        cores=(
            "Starting {x} from seed mostly needs warmth to germinate and strong light afterwards.",
            "Seedlings usually fail from too little light, too much water or sowing too early.",
        ),
        details=(
            "Sow in a fine seed-starting mix, which drains better than garden soil.",
            "Plant seeds at a depth of about twice their size.",
            "Keep the mix moist but not soggy until they sprout.",
            "Move them under bright light as soon as they emerge to stop them getting leggy.",
            "A small fan or gentle brushing makes the stems sturdier.",
            "Harden them off outdoors for a week before planting out.",
            "Check the last frost date in your area before sowing.",
        ),
    ),
    Topic(
        title="Dealing with {x}",
        keyword="pest-control",
        prompts=(
            "How do I get rid of {x} in my garden without harsh chemicals?",
            "What's an effective way to deal with {x}?",
        ),
        slot=("aphids", "slugs", "whiteflies", "caterpillars on my cabbages", "spider mites"),
        cores=(
            "Controlling {x} works best with a mix of prevention, physical removal and "
            "encouraging predators.",
            "You can usually keep {x} under control without strong chemicals if you act early.",
        ),
        details=(
            "Inspect plants regularly, especially the undersides of leaves.",
            "Remove pests by hand or knock them off with a strong spray of water.",
            "Encourage ladybirds, birds and other predators with diverse planting.",
            "Insect mesh or barriers keep many pests off vulnerable crops.",
            "Insecticidal soap can help with soft-bodied insects.",
            "Healthy, unstressed plants resist pests better.",
            "Clear away debris where pests hide over winter.",
        ),
    ),
    Topic(
        title="Composting {x}",
        keyword="composting",
        prompts=(
            "How do I start composting {x}?",
            "What's the right way to set up compost {x}?",
        ),
        slot=(
            "in a small back garden",
            "on an apartment balcony",
            "kitchen scraps",
            "autumn leaves",
        ),
        cores=(
            "Good compost comes from balancing green materials with brown ones and keeping it "
            "moist.",
            "Composting {x} is straightforward once you get the balance and moisture right.",
        ),
        details=(
            "Green materials include vegetable scraps, coffee grounds and grass clippings.",
            "Brown materials include dry leaves, cardboard and straw.",
            "Aim for roughly two or three parts brown to one part green.",
            "Keep it as damp as a wrung-out sponge.",
            "Turn it every week or two to add air and speed things up.",
            "Leave out meat, dairy and oily food, which attract pests.",
            "A worm bin works well where there is little space.",
        ),
    ),
    Topic(
        title="Pruning {x}",
        keyword="pruning",
        prompts=(
            "When and how should I prune {x}?",
            "I'm nervous about pruning my {x}. How do I do it properly?",
        ),
        slot=("roses", "apple trees", "hydrangeas", "lavender", "raspberry canes"),
        cores=(
            "Pruning {x} is mostly about timing and making clean cuts in the right places.",
            "Most plants, {x} included, are forgiving if you follow a few basic pruning rules.",
        ),
        details=(
            "Use sharp, clean tools so cuts heal quickly.",
            "Start by removing dead, damaged or diseased wood.",
            "Cut just above an outward-facing bud at a slight angle.",
            "Thin crowded growth to let light and air into the centre.",
            "Avoid removing more than about a third of the plant in one year.",
            "Look up whether your variety flowers on old or new growth before cutting.",
            "Late winter or early spring suits many shrubs, but not all.",
        ),
    ),
    Topic(
        title="Watering {x}",
        keyword="watering",
        prompts=(
            "How often should I water {x}?",
            "What's the right way to water {x}?",
        ),
        slot=(
            "a new lawn",
            "vegetable beds in summer",
            "succulents",
            "newly planted trees",
            "houseplants",
        ),
        cores=(
            "How often to water {x} depends on weather, soil and the plants' roots, so checking "
            "the soil beats a fixed schedule.",
            "Watering {x} deeply and less often is generally better than a little every day.",
        ),
        details=(
            "Deep watering encourages roots to grow down where the soil stays moist.",
            "Water in the early morning to reduce evaporation and disease.",
            "Push a finger into the soil to check moisture before watering.",
            "Sandy soils drain quickly and need water more often than clay.",
            "A layer of mulch helps the soil hold moisture.",
            "Succulents need the soil to dry out completely between waterings.",
            "Newly planted things need regular water until their roots establish.",
        ),
    ),
    Topic(
        title="Improving {x}",
        keyword="soil",
        prompts=(
            "How can I improve {x} in my garden?",
            "My garden has {x}. What can I do about it?",
        ),
        slot=("heavy clay soil", "sandy soil", "compacted soil", "poor, stony soil"),
        cores=(
            "Almost every soil problem, including {x}, improves with regular additions of "
            "organic matter.",
            "Improving {x} is a gradual project rather than a one-off fix.",
        ),
        details=(
            "Spread a few centimetres of compost or well-rotted manure every year.",
            "Avoid walking on beds, especially when the soil is wet.",
            "Mulching protects the surface and feeds soil life as it breaks down.",
            "Raised beds can be a good option where the ground is very poor.",
            "A simple soil test shows pH and whether nutrients are lacking.",
            "Cover crops over winter add organic matter and protect the soil.",
            "Choose plants that naturally suit your soil type.",
        ),
    ),
    Topic(
        title="Growing {x} for beginners",
        keyword="easy-crops",
        prompts=(
            "I'm a beginner gardener. How do I grow {x}?",
            "Is {x} a good crop to start with, and how do I grow it?",
        ),
        slot=("garlic", "courgettes", "runner beans", "radishes", "spinach"),
        cores=(
            "{X} is a good choice for a first vegetable because it is forgiving and productive.",
            "Growing {x} is fairly easy with decent soil, sun and regular water.",
        ),
        details=(
            "Pick a sunny spot with soil that drains reasonably well.",
            "Check the seed packet for sowing times in your region.",
            "Space plants as recommended so they are not competing.",
            "Keep the bed weeded while the plants are young.",
            "Water regularly in dry spells, especially as crops develop.",
            "Harvest often, since many crops produce more when picked.",
            "Keep notes on what worked so next year is easier.",
        ),
    ),
    Topic(
        title="Keeping {x} alive indoors",
        keyword="houseplants",
        prompts=(
            "How do I keep {x} alive indoors?",
            "My {x} keeps dying inside. What care does it need?",
        ),
        slot=("a fiddle-leaf fig", "an orchid", "a snake plant", "a pothos", "a calathea"),
        cores=(
            "Indoor plants like {x} mainly need the right light and careful watering.",
            "Most houseplant deaths come from overwatering or the wrong light, and {x} is no "
            "exception.",
        ),
        details=(
            "Find out whether it prefers bright indirect light or lower light.",
            "Water when the top few centimetres of soil are dry, not on a fixed schedule.",
            "Use a pot with drainage and empty the saucer after watering.",
            "Keep it away from radiators and cold draughts.",
            "Wipe dust off the leaves so they can absorb light.",
            "Feed lightly during spring and summer only.",
            "Repot only when roots fill the pot, and only one size up.",
        ),
    ),
    Topic(
        title="Attracting {x} to the garden",
        keyword="wildlife-gardening",
        prompts=(
            "How can I attract more {x} to my garden?",
            "What should I plant to bring {x} into the garden?",
        ),
        slot=("bees", "butterflies", "birds", "hedgehogs", "pollinators"),
        cores=(
            "Attracting {x} comes down to providing food, water and shelter through the year.",
            "A garden that feeds and shelters {x} does not need to look messy, just varied.",
        ),
        details=(
            "Grow a range of plants that flower from early spring to late autumn.",
            "Single flowers are easier for insects to feed from than double ones.",
            "Leave a corner a little wild with long grass and leaf piles.",
            "Provide a shallow water source with a place to land.",
            "Avoid pesticides, which harm the creatures you want to attract.",
            "Add a hedge or shrubs for shelter and nesting.",
            "Make a small gap under fences so animals can move between gardens.",
        ),
    ),
    Topic(
        title="Preparing {x} for winter",
        keyword="winter-garden",
        prompts=(
            "How should I get {x} ready for winter?",
            "What jobs should I do to protect {x} over winter?",
        ),
        slot=("the vegetable garden", "potted plants", "roses", "the lawn", "fruit trees"),
        cores=(
            "Preparing {x} for winter is mainly about protecting roots and tidying up sensibly.",
            "A few autumn jobs help {x} come through winter in good shape.",
        ),
        details=(
            "Add a thick layer of mulch to insulate roots.",
            "Move tender pots into a sheltered spot or under cover.",
            "Clear diseased material but leave some seed heads for wildlife.",
            "Plant a cover crop or cover empty beds to protect the soil.",
            "Check ties and supports before winter storms.",
            "Raise pots on feet so they do not sit in water.",
            "Clean and store tools so they are ready in spring.",
        ),
    ),
    Topic(
        title="Planning {x}",
        keyword="garden-planning",
        prompts=(
            "How do I plan {x}?",
            "What should I think about when planning {x}?",
        ),
        slot=(
            "a small vegetable patch",
            "a herb garden",
            "a raised bed layout",
            "a low-maintenance front garden",
        ),
        cores=(
            "Planning {x} starts with watching where the sun falls and deciding what you "
            "actually want to grow.",
            "A good plan for {x} matches plants to the conditions you have.",
        ),
        details=(
            "Note how many hours of sun each area gets in summer.",
            "Start smaller than you think, since it is easier to expand later.",
            "Put the things you use most closest to the kitchen door.",
            "Leave paths wide enough to kneel and carry a watering can.",
            "Group plants with similar water needs together.",
            "Sketch the layout on paper before buying anything.",
            "Rotate crops between beds each year to reduce disease.",
        ),
    ),
    Topic(
        title="Harvesting and storing {x}",
        keyword="harvest",
        prompts=(
            "When should I harvest {x}, and how do I store them?",
            "How do I know {x} are ready to pick, and how should I keep them?",
        ),
        slot=("potatoes", "onions", "apples", "pumpkins", "carrots"),
        cores=(
            "Harvesting {x} at the right time and curing them properly makes them keep much "
            "longer.",
            "The signs that {x} are ready vary, but storage always rewards gentle handling.",
        ),
        details=(
            "Pick on a dry day so the crop goes into storage without extra moisture.",
            "Handle them gently, since bruises lead to rot.",
            "Some crops need curing in a warm, airy place before storage.",
            "Store them somewhere cool, dark and well ventilated.",
            "Check stored crops regularly and remove any that start to spoil.",
            "Use damaged ones first rather than storing them.",
            "Keep apples away from other produce, since they speed ripening.",
        ),
    ),
)

BANK = DomainBank(name="gardening", field="Horticultural Science", topics=_TOPICS)
