"""Personal finance topics for the demo content bank (general information only)."""

from __future__ import annotations

from prefsight.apps.demo.bank.types import DomainBank, Topic

_TOPICS = (
    Topic(
        title="Building an emergency fund {x}",
        keyword="emergency-fund",
        prompts=(
            "How do I build an emergency fund {x}?",
            "How big should my emergency fund be, and how do I save it {x}?",
        ),
        slot=("on a low income", "while paying off debt", "as a freelancer", "from scratch"),
        cores=(
            "An emergency fund is built a little at a time, and the first small target "
            "matters most.",
            "Saving an emergency fund {x} is slower but still worth doing.",
        ),
        details=(
            "Start with a goal of one month of essential expenses.",
            "Longer term, three to six months of essentials is a common target.",
            "Set up an automatic transfer on payday so saving happens first.",
            "Keep the money in a separate easy-access savings account.",
            "Put windfalls like tax refunds or gifts straight into the fund.",
            "Irregular earners may want a larger buffer than people on a salary.",
            "Only use it for real emergencies, then rebuild it afterwards.",
        ),
    ),
    Topic(
        title="Paying off {x}",
        keyword="debt",
        prompts=(
            "What's the smartest order to pay off {x}?",
            "I'm struggling with {x}. How should I go about paying it down?",
        ),
        slot=(
            "credit card debt",
            "several student loans",
            "a car loan and credit cards",
            "medical bills",
        ),
        cores=(
            "Paying off {x} starts with listing every balance, its interest rate and its "
            "minimum payment.",
            "The two common approaches to {x} are targeting the highest rate first or the "
            "smallest balance first.",
        ),
        details=(
            "Always pay at least the minimum on everything to avoid fees.",
            "Putting extra money towards the highest interest rate saves the most overall.",
            "Clearing the smallest balance first gives quick wins that keep some people motivated.",
            "Ask lenders about lower rates or hardship plans; many have them.",
            "A balance transfer card can help if you can repay within the promotional period.",
            "Stop adding new debt while you pay down the old.",
            "A free nonprofit credit counsellor can help you set up a plan.",
        ),
    ),
    Topic(
        title="Making a budget {x}",
        keyword="budgeting",
        prompts=(
            "How do I make a budget {x}?",
            "I've never stuck to a budget. What's a simple way to start {x}?",
        ),
        slot=("that I'll actually follow", "on an irregular income", "as a couple", "as a student"),
        cores=(
            "A budget works when it reflects what you really spend and leaves room for enjoyment.",
            "The simplest budgets split income into essentials, goals and spending money.",
        ),
        details=(
            "Look at the last two or three months of bank statements to see real spending.",
            "List fixed bills first, then variable costs like food and transport.",
            "Give every unit of income a job, including savings.",
            "Build in a small amount of guilt-free spending so the plan is sustainable.",
            "Review it briefly each week and adjust the categories that keep going over.",
            "Automate bills and savings so fewer decisions are needed.",
            "Use whatever tool you will open regularly, even a simple spreadsheet.",
        ),
    ),
    Topic(
        title="Starting to invest {x}",
        keyword="investing",
        prompts=(
            "How should a beginner start investing {x}?",
            "I want to start investing {x}. Where do I begin?",
        ),
        slot=(
            "with a small amount each month",
            "for retirement",
            "in my twenties",
            "after paying off debt",
        ),
        cores=(
            "For most beginners, regular contributions to low-cost diversified funds are a "
            "sensible starting point.",
            "Starting to invest {x} is more about habits and costs than picking winners.",
        ),
        details=(
            "Make sure you have an emergency fund and no high-interest debt first.",
            "Use tax-advantaged retirement accounts where they are available to you.",
            "Broad index funds spread your money across many companies at low cost.",
            "Keep fees low, since they compound over decades just like returns.",
            "Invest a fixed amount on a schedule rather than trying to time the market.",
            "Expect ups and downs, and only invest money you will not need for years.",
            "A fee-only financial adviser can help with a more personal plan.",
        ),
    ),
    Topic(
        title="Improving a credit score {x}",
        keyword="credit-score",
        prompts=(
            "How can I improve my credit score {x}?",
            "What actually moves a credit score {x}?",
        ),
        slot=(
            "before applying for a mortgage",
            "after missed payments",
            "with no credit history",
            "quickly",
        ),
        cores=(
            "Credit scores respond mainly to on-time payments and how much of your credit you use.",
            "Improving a credit score {x} takes consistent habits over months.",
        ),
        details=(
            "Pay every bill on time, since payment history weighs the most.",
            "Keep card balances low relative to their limits, ideally well under a third.",
            "Check your credit reports for errors and dispute any you find.",
            "Avoid opening several new accounts in a short period.",
            "Keep older accounts open if they have no annual fee.",
            "A secured card used lightly can help build a history from scratch.",
            "Missed payments fade in impact over time if you stay current.",
        ),
    ),
    Topic(
        title="Saving for {x}",
        keyword="saving",
        prompts=(
            "How should I save for {x}?",
            "What's a realistic plan to save for {x}?",
        ),
        slot=("a house deposit", "a wedding", "a new car", "a year of travel"),
        cores=(
            "Saving for {x} becomes manageable once you put a number and a date on it.",
            "A clear target and an automatic monthly transfer are the core of saving for {x}.",
        ),
        details=(
            "Estimate the total you need and divide it by the months until your target date.",
            "Open a separate savings account just for this goal.",
            "Automate the transfer right after payday.",
            "Look for one or two larger expenses you can cut temporarily.",
            "For goals less than a few years away, keep the money in savings rather than stocks.",
            "Track progress monthly, which keeps motivation up.",
            "Adjust the date or the amount if the plan turns out unrealistic.",
        ),
    ),
    Topic(
        title="Cutting {x}",
        keyword="household-costs",
        prompts=(
            "How can I cut my {x}?",
            "My {x} keep going up. What can I do about it?",
        ),
        slot=("grocery bills", "energy bills", "phone and internet bills", "insurance costs"),
        cores=(
            "Most households can cut {x} by reviewing what they pay and shopping around.",
            "Lower {x} usually come from a mix of switching providers and small changes in habits.",
        ),
        details=(
            "Compare what you pay now with what new customers are offered.",
            "Call your provider and ask for a better rate before switching.",
            "Set a calendar reminder to review these costs once a year.",
        ),
        specific=(
            (
                "grocery bills",
                (
                    "Plan meals for the week and shop with a list.",
                    "Buy store brands for staples, which are often similar in quality.",
                ),
            ),
            (
                "energy bills",
                (
                    "Turn the heating down a degree and seal obvious draughts.",
                    "Wash clothes at lower temperatures and run full loads.",
                ),
            ),
            (
                "phone and internet bills",
                (
                    "A SIM-only plan is often much cheaper once your phone is paid off.",
                    "Check whether you pay for a faster connection or extras you do not use.",
                ),
            ),
            (
                "insurance costs",
                (
                    "Raising your excess lowers the premium, as long as you could afford it.",
                    "Paying annually instead of monthly often avoids interest charges.",
                ),
            ),
        ),
    ),
    Topic(
        title="Understanding {x}",
        keyword="finance-basics",
        prompts=(
            "Can you explain {x} in plain language?",
            "What do I need to know about {x}?",
        ),
        slot=("compound interest", "index funds", "inflation", "an annual percentage rate"),
        cores=(
            "The idea behind {x} is simple once you see a concrete example.",
            "Understanding {x} helps you make better decisions about saving and borrowing.",
        ),
        details=(
            "Small differences in rates add up to large amounts over long periods.",
            "Try a free online calculator with your own numbers to see the effect.",
            "When comparing products, compare the same measure across all of them.",
        ),
        specific=(
            (
                "compound interest",
                (
                    "It means you earn interest on previous interest as well as on your savings.",
                    "The earlier you start, the more time the growth has to build on itself.",
                ),
            ),
            (
                "index funds",
                (
                    "An index fund holds all the companies in a market index instead of picking "
                    "a few.",
                    "Because nobody is picking stocks, their fees are usually low.",
                ),
            ),
            (
                "inflation",
                (
                    "Inflation is the general rise in prices, which reduces what money can buy.",
                    "Cash that earns less than inflation loses value in real terms.",
                ),
            ),
            (
                "an annual percentage rate",
                (
                    "It includes interest and some fees, expressed as a yearly rate.",
                    "A lower rate on a longer loan can still cost more in total.",
                ),
            ),
        ),
    ),
    Topic(
        title="Handling {x}",
        keyword="income",
        prompts=(
            "How should I handle {x} wisely?",
            "I just got {x}. What should I do with it?",
        ),
        slot=("a pay raise", "a year-end bonus", "an inheritance", "a tax refund"),
        cores=(
            "A sensible plan for {x} is to decide in advance how to split it between needs, "
            "goals and enjoyment.",
            "It helps to wait a little before deciding what to do with {x}.",
        ),
        details=(
            "Park the money in a savings account while you think it through.",
            "Pay off any high-interest debt first.",
            "Top up your emergency fund if it is not full.",
            "Increase retirement contributions, especially if an employer matches them.",
            "Set aside a portion to enjoy so the plan feels worthwhile.",
            "Avoid raising your regular spending to match a one-off amount.",
            "Check whether the money has tax consequences you need to plan for.",
        ),
    ),
    Topic(
        title="Renting versus buying {x}",
        keyword="housing",
        prompts=(
            "Should I rent or buy {x}?",
            "How do I decide between renting and buying {x}?",
        ),
        slot=(
            "a home in a big city",
            "my first apartment",
            "a place while I'm in my twenties",
            "a house in a small town",
        ),
        cores=(
            "Whether to rent or buy depends on how long you will stay and the full cost of owning.",
            "Buying is not automatically better than renting, and the numbers vary a lot by place.",
        ),
        details=(
            "Buying tends to make more sense if you plan to stay five years or longer.",
            "Include maintenance, insurance, taxes and fees when you compare costs.",
            "Renting keeps you flexible to move for work or family.",
            "Make sure a deposit would not leave you without an emergency fund.",
            "Compare the monthly cost of owning with rent for a similar place.",
            "Check how much you could borrow and what the payments would be at higher rates.",
            "Talk to a mortgage adviser before you start viewing homes.",
        ),
    ),
    Topic(
        title="Spotting {x}",
        keyword="scams",
        prompts=(
            "How can I spot {x}?",
            "What are the warning signs of {x}?",
        ),
        slot=(
            "investment scams",
            "phishing emails from my bank",
            "fake online shops",
            "rental scams",
        ),
        cores=(
            "Scams usually share a few warning signs: pressure, secrecy and unusual payment "
            "requests.",
            "Most {x} rely on urgency, so slowing down is the best defence.",
        ),
        details=(
            "Be wary of promised high returns with little risk.",
            "Real banks do not ask for your full password or PIN by email or phone.",
            "Check the web address carefully before entering any details.",
            "Never pay by gift card, wire transfer or cryptocurrency to someone you have not met.",
            "Search the company name with the word scam before paying.",
            "Contact the organisation using details you find yourself, not those in the message.",
            "Report suspected scams to your bank and the relevant authority.",
        ),
    ),
    Topic(
        title="Teaching {x} about money",
        keyword="money-education",
        prompts=(
            "How can I teach {x} about money?",
            "What's a good way to help {x} learn to manage money?",
        ),
        slot=("my kids", "a teenager", "my younger brother", "a new employee"),
        cores=(
            "People learn about money best through real decisions with real, small amounts.",
            "Teaching {x} about money works better through practice than lectures.",
        ),
        details=(
            "Give a regular allowance or budget and let them decide how to use it.",
            "Let small mistakes happen while the stakes are low.",
            "Talk openly about everyday choices, like comparing prices.",
            "Use separate jars or accounts for spending, saving and giving.",
            "Set a savings goal together and track it visibly.",
            "Explain how interest works on both savings and debt.",
            "Share your own past money mistakes and what you learned.",
        ),
    ),
    Topic(
        title="Planning for retirement {x}",
        keyword="retirement",
        prompts=(
            "How should I plan for retirement {x}?",
            "Am I behind on retirement savings, and what should I do {x}?",
        ),
        slot=(
            "if I'm starting in my forties",
            "as a self-employed person",
            "with a modest salary",
            "if I'm in my twenties",
        ),
        cores=(
            "Retirement planning is about saving steadily, keeping costs low and reviewing "
            "regularly.",
            "It is rarely too late to improve your retirement position, whatever your "
            "starting point.",
        ),
        details=(
            "Estimate what you will need each year in retirement as a rough target.",
            "Contribute enough to get any employer match, which is free money.",
            "Increase your contribution rate by a percent or two each year.",
            "Use tax-advantaged accounts designed for retirement.",
            "Review your investment mix as you get closer to retirement.",
            "Check what state or public pension you can expect.",
            "A fee-only planner can build a detailed plan with your real numbers.",
        ),
    ),
    Topic(
        title="Splitting {x}",
        keyword="shared-finances",
        prompts=(
            "What's a fair way of splitting {x}?",
            "How do other people handle splitting {x}?",
        ),
        slot=(
            "bills with roommates",
            "expenses with a partner",
            "costs on a group holiday",
            "rent in a shared flat",
        ),
        cores=(
            "Splitting {x} works best when everyone agrees on the rules up front.",
            "There are a few common ways of splitting {x}, and the right one depends on the "
            "people involved.",
        ),
        details=(
            "An even split is simple when incomes and usage are similar.",
            "Splitting in proportion to income can feel fairer when earnings differ a lot.",
            "Use a shared expense app so everyone can see who paid what.",
            "Settle up on a regular schedule rather than letting balances grow.",
            "Agree in advance how to handle large or unusual costs.",
            "Put the agreement in writing for anything involving rent or deposits.",
            "Revisit the arrangement if circumstances change.",
        ),
    ),
)

BANK = DomainBank(name="personal_finance", field="Household Finance", topics=_TOPICS)
