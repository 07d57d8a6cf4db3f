"""Built-in starter set of named concepts, each defined by example texts.

Owns the example texts of six common behaviours of assistant responses
(sycophancy, overconfidence, refusal, heavy formatting, invented links,
hedging). Each concept lists texts that show the trait and, in the same order,
close counterparts with the same content and without it: contrastive pairs
give cleaner difference-of-means directions. Turning examples into directions
(forward passes, pooling, differences of means) is left to the concept
builders in ``prefsight.concepts``.

The examples are written for general assistant data and span many topics;
they share no templates with the demo generator (``prefsight.demo``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)

MIN_EXAMPLES = 16


@dataclass(frozen=True)
class StarterConcept:
    """A named concept given by texts that show it and texts that do not."""

    name: str
    description: str
    positive: tuple[str, ...]
    """Texts that show the trait."""
    negative: tuple[str, ...]
    """Texts without it; ``negative[i]`` is the counterpart of ``positive[i]``."""

    def __post_init__(self) -> None:
        for side in ("positive", "negative"):
            texts = getattr(self, side)
            if len(texts) < MIN_EXAMPLES:
                raise ValueError(f"{self.name}: {side} has {len(texts)} texts, need >= 16")
            if any(not t.strip() for t in texts):
                raise ValueError(f"{self.name}: {side} has an empty text")
            if len(set(texts)) != len(texts):
                raise ValueError(f"{self.name}: {side} has duplicate texts")
        if set(self.positive) & set(self.negative):
            raise ValueError(f"{self.name}: a text is both positive and negative")


def _concept(name: str, description: str, pairs: tuple[tuple[str, str], ...]) -> StarterConcept:
    return StarterConcept(
        name=name,
        description=description,
        positive=tuple(p for p, _ in pairs),
        negative=tuple(n for _, n in pairs),
    )


_SYCOPHANCY = (
    (
        "Your essay is honestly brilliant as it is, and I wouldn't change a single word.",
        "Your essay has a clear argument, though the second paragraph repeats the first and "
        "could be cut.",
    ),
    (
        "You're completely right that the Great Wall is visible from space with the naked eye; "
        "that's a well-known fact.",
        "The Great Wall is not visible from space with the naked eye; it is long but far too "
        "narrow.",
    ),
    (
        "I agree with you entirely: your manager is being unreasonable and you handled the "
        "meeting perfectly.",
        "It sounds like the meeting was tense; hearing your manager's side before deciding who "
        "was unreasonable might help.",
    ),
    (
        "Since you've already decided, quitting your job to day-trade sounds like a smart move "
        "for someone as talented as you.",
        "Quitting your job to day-trade is risky; most day traders lose money, so testing it "
        "with a small amount first is safer.",
    ),
    (
        "You make an excellent point and I was wrong earlier: 0.1 plus 0.2 is exactly 0.3 in "
        "floating point.",
        "In binary floating point, 0.1 plus 0.2 gives 0.30000000000000004, not exactly 0.3.",
    ),
    (
        "Your business plan is fantastic and investors will love it; you have a real gift for "
        "this.",
        "Your business plan describes the product well, but investors will want market size and "
        "cost estimates, which are missing.",
    ),
    (
        "Of course, you know your own code best, so if you say the bug can't be in your "
        "function, it must be somewhere else.",
        "The stack trace points into your function, so adding a test there is worthwhile before "
        "looking elsewhere.",
    ),
    (
        "What a wise choice! Skipping the warm-up is totally fine for someone as fit as you.",
        "Skipping the warm-up raises the risk of strains, even for fit people, so a few minutes "
        "of light movement is worth it.",
    ),
    (
        "You're so right, Napoleon was famously tiny, and your knowledge of history is really "
        "impressive.",
        "Napoleon was about average height for his time; the idea that he was tiny comes partly "
        "from confusion between French and English inches.",
    ),
    (
        "I love your poem; it's perfect and honestly better than most published work.",
        "Your poem has some striking images; the rhythm in the third stanza is uneven and could "
        "be smoothed out.",
    ),
    (
        "You're wise to trust your gut over the reviews; your instincts are clearly better than "
        "theirs.",
        "The reviews raise concerns about battery life that are worth weighing alongside your "
        "own impression.",
    ),
    (
        "Yes, I agree completely that your landlord has no right to keep any of the deposit; "
        "you're spot on.",
        "Whether the landlord can keep part of the deposit depends on the lease and on "
        "documented damage beyond normal wear.",
    ),
    (
        "You're correct, and I apologise for my mistake: the capital of Australia is Sydney, "
        "just as you said.",
        "The capital of Australia is Canberra, not Sydney, although Sydney is the largest city.",
    ),
    (
        "Your design is flawless; I can't see a single thing that could be improved.",
        "Your design is clean; the grey text has low contrast against the background and may be "
        "hard to read.",
    ),
    (
        "Putting all your savings into one stock you believe in is such a smart idea; you "
        "obviously understand the market.",
        "Putting all your savings into one stock concentrates risk; spreading it across many "
        "companies lowers the chance of a large loss.",
    ),
    (
        "You've nailed it: the crash is the compiler's fault, not your code.",
        "Compiler bugs are rare; the crash is more likely undefined behaviour in the code, which "
        "a sanitizer can help find.",
    ),
    (
        "I couldn't agree more; you were right to skip the follow-up appointment with your doctor.",
        "Follow-up appointments check whether a treatment is working, so rescheduling the one "
        "you missed is a good idea.",
    ),
    (
        "You're right, and thank you for correcting me: humans really do use only ten percent "
        "of their brains.",
        "Brain imaging shows activity across nearly all regions, so the ten percent idea is a "
        "myth.",
    ),
)

_OVERCONFIDENCE = (
    (
        "This diet will make you lose ten kilos in a month, no question.",
        "Some people lose weight on this diet, though results vary and a month is a short time.",
    ),
    (
        "The stock market is certain to go up next year, so buy now.",
        "Markets have tended to rise over long periods, but nobody can reliably predict next "
        "year's direction.",
    ),
    (
        "Your symptoms are just stress; there's nothing else it could possibly be.",
        "Stress can cause symptoms like these, but other causes are possible, so a doctor's "
        "visit would help rule them out.",
    ),
    (
        "This code has zero bugs and will work in every case.",
        "I didn't spot bugs on a read-through, but running the tests would show whether it "
        "handles the edge cases.",
    ),
    (
        "Everyone knows the meeting was cancelled because of budget cuts.",
        "The meeting may have been cancelled because of budget cuts, though I haven't seen an "
        "official reason.",
    ),
    (
        "Rust is simply the best programming language ever made, end of story.",
        "Rust is a strong choice for systems work, though other languages may suit different "
        "projects better.",
    ),
    (
        "The painting is unquestionably a genuine Rembrandt.",
        "The painting shows several features of Rembrandt's style, but authentication would "
        "need expert analysis.",
    ),
    (
        "Your flight will not be delayed; the weather is irrelevant.",
        "Your flight is on time for now, though storms in the area could still cause delays.",
    ),
    (
        "This fertiliser doubles tomato yields in every garden.",
        "This fertiliser can raise tomato yields in poor soil, though the effect depends on what "
        "your soil already has.",
    ),
    (
        "The answer is 42 and no other reading of the question is possible.",
        "The answer is probably 42, although the question could be read another way that gives "
        "a different result.",
    ),
    (
        "Interest rates will fall in March; I know exactly what the central bank will do.",
        "Many analysts expect interest rates to fall in the spring, but central banks often "
        "surprise the markets.",
    ),
    (
        "This supplement cures colds instantly and works for everyone.",
        "There is limited evidence that this supplement shortens colds slightly, and it may not "
        "help everyone.",
    ),
    (
        "Historians are unanimous: the war was caused entirely by one assassination.",
        "The assassination triggered the war, but historians also point to deeper causes such "
        "as alliances and rivalries.",
    ),
    (
        "Follow my plan and you will pass the exam with top marks; there is zero risk.",
        "Following this plan should improve your preparation, though your result will also "
        "depend on the exam itself.",
    ),
    (
        "Electric cars are cheaper to own than petrol cars in every situation.",
        "Electric cars are often cheaper to run, but the total cost depends on the purchase "
        "price, electricity rates and mileage.",
    ),
    (
        "The bridge can obviously hold any truck you put on it.",
        "The bridge is rated for up to forty tonnes, so heavier trucks should take another route.",
    ),
    (
        "I know for a fact that this startup will be worth billions within five years.",
        "This startup is growing quickly, but most young companies fail, so its future value is "
        "uncertain.",
    ),
    (
        "There is only one correct way to raise children, and this is it.",
        "This approach works for many families, though children and circumstances differ.",
    ),
)

_REFUSAL = (
    (
        "I'm sorry, but I can't help with writing a cover letter for this job.",
        "Here's a start for your cover letter: name the role, then give two examples of work "
        "that match what they ask for.",
    ),
    (
        "I won't be able to provide a recipe for banana bread.",
        "For banana bread, mash three ripe bananas, mix in melted butter, sugar, an egg, flour "
        "and baking soda, and bake for about an hour.",
    ),
    (
        "Unfortunately, I'm not able to explain how vaccines work.",
        "Vaccines train the immune system with a harmless piece or version of a germ, so it can "
        "respond quickly later.",
    ),
    (
        "I must decline to summarise this article.",
        "The article argues that remote work raises productivity for focused tasks but makes "
        "mentoring harder.",
    ),
    (
        "As an AI, I can't give opinions on which laptop you should buy.",
        "For programming and travel, a light laptop with 16 GB of memory and a good keyboard is "
        "a solid choice.",
    ),
    (
        "I'm not comfortable helping with that sorting algorithm question.",
        "To sort the list, you can use merge sort, which splits it in half, sorts each half and "
        "merges the results.",
    ),
    (
        "That's not something I can assist with; please consult a professional about your tax "
        "return.",
        "On your tax return, list your freelance income separately and keep receipts for "
        "deductible expenses.",
    ),
    (
        "I apologize, but I cannot translate this sentence into Spanish.",
        "In Spanish that sentence is: 'Nos vemos mañana en la estación a las diez.'",
    ),
    (
        "I'm unable to recommend books on the history of Rome.",
        "For Roman history, Mary Beard's SPQR is an accessible overview of the city's first "
        "thousand years.",
    ),
    (
        "I'd rather not discuss the plot of that novel.",
        "The novel follows a young doctor who returns to her hometown and uncovers a "
        "long-buried family secret.",
    ),
    (
        "I can't do that. Writing a birthday poem for your grandmother isn't something I'm able "
        "to help with.",
        "Here's a birthday poem for your grandmother: 'Ninety years of kindness, ninety years "
        "of cheer, we're grateful for your laughter every single year.'",
    ),
    (
        "I'm afraid I have to refuse; giving directions to the train station is outside what I "
        "can do.",
        "To reach the train station, walk north on Main Street for ten minutes and turn left at "
        "the library.",
    ),
    (
        "Sorry, I cannot provide information about how to change a bike tyre.",
        "To change a bike tyre, release the brake, remove the wheel, lever off the tyre and fit "
        "the new tube.",
    ),
    (
        "I'm not in a position to help you plan a workout routine.",
        "A simple routine is three full-body sessions a week with squats, push-ups and rows, "
        "plus a walk on other days.",
    ),
    (
        "This request goes against my guidelines, so I won't write a product description for "
        "your candles.",
        "Here's a product description: 'Hand-poured soy candles with notes of cedar and orange, "
        "burning cleanly for forty hours.'",
    ),
    (
        "I can't assist with debugging this SQL query.",
        "The query fails because the GROUP BY clause is missing the customer_name column that "
        "appears in the SELECT.",
    ),
    (
        "I'm sorry, I'm not able to give advice on growing tomatoes.",
        "Tomatoes need at least six hours of sun, regular deep watering and a support such as a "
        "cage or stake.",
    ),
    (
        "I'll have to pass on explaining the causes of inflation.",
        "Inflation can come from demand outpacing supply, rising production costs, or growth in "
        "the money supply.",
    ),
)

_HEAVY_FORMATTING = (
    (
        "## Ingredients\n- 2 eggs\n- 1 cup flour\n- 1 cup milk\n\n## Method\n1. Whisk everything "
        "together.\n2. Rest the batter for 10 minutes.\n3. Cook on a hot, oiled pan.",
        "You'll need two eggs, a cup of flour and a cup of milk. Whisk them together, rest the "
        "batter for ten minutes, then cook it on a hot, oiled pan.",
    ),
    (
        "### Pros\n- **Cheap** to run\n- **Quiet** on the road\n\n### Cons\n- **Limited** range\n"
        "- **Slow** to charge",
        "It's cheap to run and quiet on the road, but the range is limited and it's slow to "
        "charge.",
    ),
    (
        "| Plan | Price | Data |\n|------|-------|------|\n| Basic | $10 | 5 GB |\n| Plus | $20 "
        "| 20 GB |",
        "The Basic plan costs $10 for 5 GB of data, and the Plus plan costs $20 for 20 GB.",
    ),
    (
        "**Important:** back up your files first.\n\n1. Open *Settings*.\n2. Go to **Update & "
        "Security**.\n3. Click **Reset this PC**.",
        "Back up your files first, then open Settings, go to Update & Security and click Reset "
        "this PC.",
    ),
    (
        "# Weekly plan\n\n## Monday\n- Run 5 km\n\n## Wednesday\n- Strength training\n\n"
        "## Saturday\n- Long run",
        "This week, run 5 km on Monday, do strength training on Wednesday and go for a long run "
        "on Saturday.",
    ),
    (
        "### Causes of the French Revolution\n* **Debt** from foreign wars\n* **Food shortages** "
        "after poor harvests\n* **Enlightenment** ideas",
        "The French Revolution grew out of debt from foreign wars, food shortages after poor "
        "harvests and the spread of Enlightenment ideas.",
    ),
    (
        "Run this:\n\n```bash\npip install requests\n```\n\nThen add `import requests` at the "
        "top of your script.",
        "Install it by running pip install requests, then add import requests at the top of "
        "your script.",
    ),
    (
        "## Findings\n\n> The study found **no significant difference** between the groups.\n\n"
        "---\n\n**Sample size:** 120",
        "The study, with 120 participants, found no significant difference between the groups.",
    ),
    (
        "- [x] Book flights\n- [x] Reserve hotel\n- [ ] Buy travel insurance\n- [ ] Exchange "
        "currency",
        "You've booked the flights and hotel; travel insurance and currency exchange are still "
        "left to do.",
    ),
    (
        "**Q:** How often should I water succulents?\n\n**A:** About *once every two weeks*, "
        "when the soil is **completely dry**.",
        "Water succulents about once every two weeks, when the soil is completely dry.",
    ),
    (
        "#### 1. Preheat\nSet the oven to **180°C**.\n\n#### 2. Prepare\nGrease the tin.\n\n"
        "#### 3. Bake\nBake for **25 minutes**.",
        "Set the oven to 180°C, grease the tin and bake for 25 minutes.",
    ),
    (
        "- **Morning**\n  - Museum visit\n  - Lunch by the river\n- **Afternoon**\n  - Walking "
        "tour\n  - Coffee in the old town",
        "In the morning, visit the museum and have lunch by the river; in the afternoon, take "
        "the walking tour and have coffee in the old town.",
    ),
    (
        "| Language | Typing | Speed |\n|---|---|---|\n| Python | Dynamic | Slower |\n| Go | "
        "Static | Faster |",
        "Python is dynamically typed and slower, while Go is statically typed and faster.",
    ),
    (
        "## Monthly budget\n\n- **Rent:** $1,200\n- **Food:** $400\n- **Transport:** $150\n\n"
        "**Total: $1,750**",
        "Rent is $1,200, food $400 and transport $150, for a total of $1,750 a month.",
    ),
    (
        "### Warning signs\n1. **High fever**\n2. **Stiff neck**\n3. **Confusion**\n\n"
        "**Seek care immediately** if these appear.",
        "Seek care immediately if you notice a high fever, a stiff neck or confusion.",
    ),
    (
        "***Key idea:*** compound interest means *interest on interest*.\n\n- Year 1: $100 -> "
        "$105\n- Year 2: $105 -> $110.25",
        "Compound interest means earning interest on interest: $100 grows to $105 after one "
        "year and to $110.25 after two.",
    ),
    (
        "# Meeting notes\n\n## Attendees\n- Ana\n- Ben\n\n## Decisions\n- Launch moved to "
        "**June 3**\n\n## Action items\n- Ben: update the roadmap",
        "Ana and Ben met and decided to move the launch to June 3; Ben will update the roadmap.",
    ),
    (
        "## Why your bread is dense\n\n1. **Under-proofed** dough\n2. **Too much** flour\n3. "
        "**Oven** not hot enough",
        "Dense bread usually comes from under-proofed dough, too much flour or an oven that "
        "isn't hot enough.",
    ),
)

_INVENTED_LINKS = (
    (
        "Adults need seven to nine hours of sleep (see "
        "https://www.sleepresearchcouncil.org/reports/adult-sleep-2021).",
        "Adults generally need seven to nine hours of sleep.",
    ),
    (
        "According to [the Python Performance Handbook](https://pyperf-handbook.io/chapters/"
        "loops), list comprehensions run about 30% faster than loops.",
        "List comprehensions are often somewhat faster than equivalent for loops in Python.",
    ),
    (
        "Mulching raises soil moisture by a quarter, as shown by Morgan & Ellis (2018), Soil "
        "Biology Quarterly 12(3): 45-52, https://doi.org/10.4421/sbq.2018.0312.",
        "Mulching helps the soil keep its moisture.",
    ),
    (
        "The guide at https://kyoto-travel-insider.jp/temples/best-times-2023 says to arrive "
        "before 8 a.m. to avoid crowds at the temples.",
        "Arriving early in the morning is the best way to avoid crowds at Kyoto's temples.",
    ),
    (
        "This is explained in detail at https://developer.mozilla-docs.net/en/async-await-deep-"
        "dive: async functions return a promise.",
        "Async functions return a promise, and await pauses until that promise settles.",
    ),
    (
        "A 2019 Harvard study (https://www.harvard-health-reports.org/2019/coffee-longevity) "
        "found that three cups of coffee a day add two years to your life.",
        "Some studies link moderate coffee drinking to small health benefits, though they "
        "cannot show cause and effect.",
    ),
    (
        "Global temperatures have risen 1.1 °C; the full dataset is at "
        "https://data.globalclimatearchive.net/v3/temperature-anomalies.csv.",
        "Global average temperatures have risen by about 1.1 °C since pre-industrial times.",
    ),
    (
        "You can compare foreign card fees at www.travelmoneywatch.com/compare/cards before "
        "you go.",
        "Cards without foreign transaction fees usually save money abroad.",
    ),
    (
        "The recipe comes from chef Laurent Dubois's blog: "
        "https://laurentdubois-cuisine.fr/recettes/tarte-tatin-classique.",
        "A classic tarte tatin caramelises apples in butter and sugar before the pastry goes "
        "on top.",
    ),
    (
        "As the Stanford Finance Review reported (vol. 34, p. 211; "
        "https://sfr.stanford-finance.org/articles/index-vs-active), index funds beat 92% of "
        "active managers.",
        "Over long periods, most actively managed funds have trailed low-cost index funds "
        "after fees.",
    ),
    (
        "The Rust team recommends this pattern in their style guide: "
        "https://rust-style.dev/guide/error-handling#question-mark.",
        "In Rust, the question-mark operator passes errors up to the caller.",
    ),
    (
        "The Museum of Ancient Engineering explains the ramp theory at "
        "https://www.ancient-engineering-museum.org/pyramids/ramps.",
        "Many archaeologists think ramps were used to move stone blocks up the pyramids.",
    ),
    (
        'Releasing ladybirds cuts aphid numbers by 80% [1].\n\n[1] J. Park, "Aphid Control With '
        'Ladybirds," Garden Pest Letters, 2016. https://gardenpestletters.org/2016/park',
        "Ladybirds eat aphids and can help keep their numbers down.",
    ),
    (
        "The WHO hydration calculator at https://who-hydration-tools.int/calc gives a "
        "personalised daily water target.",
        "Your daily water needs depend on your size, activity and climate.",
    ),
    (
        "The full benchmark results are published at "
        "https://benchmarks.webframeworks-compare.com/2024/round-19.",
        "Benchmarks show large speed differences between web frameworks, depending on the "
        "workload.",
    ),
    (
        "This rule comes from Section 4.2 of the National Budgeting Standards "
        "(nbs-finance.gov/standards/4-2).",
        "A common rule of thumb is to keep housing costs under about a third of your income.",
    ),
    (
        "There's a video walkthrough at https://youtube-learning.tv/watch?v=git-rebase-8821 "
        "that shows how an interactive rebase works.",
        "An interactive rebase lets you reorder, squash or edit commits before sharing them.",
    ),
    (
        "Smith and Patel (2020) showed this in 'Sleep and Memory Consolidation', Journal of "
        "Cognitive Rest 8(2), https://jcr-journal.com/articles/8-2-smith.",
        "Sleep appears to help consolidate memories formed during the day.",
    ),
)

_HEDGING = (
    (
        "I think the train might leave around nine, but I'm not completely sure.",
        "The train leaves at nine.",
    ),
    (
        "It's possible the error comes from a missing import, though it could be something else.",
        "The error comes from a missing import on line 3.",
    ),
    (
        "Perhaps try lowering the oven temperature a little; that may help, but I can't say "
        "for certain.",
        "Lower the oven temperature by twenty degrees.",
    ),
    (
        "From what I understand, this species seems to prefer partial shade, if I remember "
        "correctly.",
        "This species prefers partial shade.",
    ),
    (
        "The painting is probably from the 1600s, I'd guess, but I could be mistaken.",
        "The painting dates from the 1600s.",
    ),
    (
        "Generally speaking, it might be a good idea to save a bit more, depending on your "
        "circumstances.",
        "Save fifteen percent of your income each month.",
    ),
    (
        "It seems likely that the meeting was moved, although I haven't confirmed that.",
        "The meeting was moved to Thursday.",
    ),
    (
        "As far as I can tell, the function appears to return null in some cases, possibly "
        "when the list is empty.",
        "The function returns null when the list is empty.",
    ),
    (
        "I'm not an expert, but it sounds like it could maybe be a sprain rather than a break.",
        "This is a sprain, not a break.",
    ),
    (
        "To some extent, the war arguably began because of economic pressures, though "
        "historians differ.",
        "The war began because of economic pressures.",
    ),
    (
        "You could possibly take the bus, which I believe is somewhat cheaper, but do "
        "double-check.",
        "Take the bus; it costs half as much.",
    ),
    (
        "It may or may not rain tomorrow; the forecast looks somewhat uncertain, I suppose.",
        "It will rain tomorrow afternoon.",
    ),
    (
        "Roughly speaking, I'd estimate the project could take maybe three months or so.",
        "The project will take three months.",
    ),
    (
        "I suspect the bread might be dense because the yeast was perhaps a little old.",
        "The bread is dense because the yeast was old.",
    ),
    (
        "This approach tends to work in many cases, though I wouldn't want to overstate it.",
        "This approach works for this problem.",
    ),
    (
        "If I'm not mistaken, the capital is Canberra, but please verify.",
        "The capital is Canberra.",
    ),
    (
        "It could be worth considering an index fund, potentially, depending on your goals.",
        "Put the money in an index fund.",
    ),
    (
        "There might be a slight chance the flight is delayed, though it's hard to say.",
        "The flight is delayed by two hours.",
    ),
)

STARTER_CONCEPTS: dict[str, StarterConcept] = {
    c.name: c
    for c in (
        _concept(
            "sycophancy",
            "Agrees with or flatters the user regardless of the facts or the quality of "
            "their work.",
            _SYCOPHANCY,
        ),
        _concept(
            "overconfidence",
            "States uncertain things as certain, with no qualification.",
            _OVERCONFIDENCE,
        ),
        _concept("refusal", "Declines to do what the user asked.", _REFUSAL),
        _concept(
            "heavy_formatting",
            "Presents content with markdown structure: headers, lists, bold, tables, code blocks.",
            _HEAVY_FORMATTING,
        ),
        _concept(
            "invented_links",
            "Backs claims with specific URLs or citations (in generated text, often made up).",
            _INVENTED_LINKS,
        ),
        _concept(
            "hedging",
            "Qualifies claims with uncertainty and softeners instead of stating them plainly.",
            _HEDGING,
        ),
    )
}
