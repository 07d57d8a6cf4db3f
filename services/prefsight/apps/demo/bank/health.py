"""Health and fitness topics for the demo content bank (general information only)."""

from __future__ import annotations

from prefsight.apps.demo.bank.types import DomainBank, Topic

_TOPICS = (
    Topic(
        title="Sleeping better when {x}",
        keyword="sleep",
        prompts=(
            "I have trouble falling asleep when {x}. What can I do?",
            "Any practical tips for sleeping better when {x}?",
        ),
        slot=("I work late", "I'm stressed", "it's hot at night", "I travel across time zones"),
        cores=(
            "Better sleep mostly comes from consistent habits and a bedroom set up for rest.",
            "Sleep problems when {x} are common, and small changes to routine often help.",
        ),
        details=(
            "Go to bed and get up at the same time every day, including weekends.",
            "Keep the bedroom dark, quiet and on the cool side.",
            "Avoid caffeine after early afternoon, since it lingers for hours.",
            "Dim screens and bright lights for the last hour before bed.",
            "A short wind-down routine, like reading or stretching, signals that it is time to "
            "sleep.",
            "If you cannot fall asleep after twenty minutes, get up and do something calm "
            "until you feel sleepy.",
            "If poor sleep goes on for weeks and affects your days, it is worth talking to a "
            "doctor.",
        ),
    ),
    Topic(
        title="Starting {x} as a beginner",
        keyword="fitness",
        prompts=(
            "I'm completely out of shape. How should I start {x}?",
            "What's a sensible way for a beginner to get into {x}?",
        ),
        slot=("running", "strength training", "swimming", "cycling", "yoga"),
        cores=(
            "The best way to start {x} is slowly, with a routine you can keep up for months.",
            "Beginners do best with {x} when they focus on consistency rather than intensity.",
        ),
        details=(
            "Begin with two or three short sessions a week and leave rest days in between.",
            "Increase the amount you do by small steps, roughly ten percent a week.",
            "Learning good technique early prevents many common injuries.",
            "Some soreness a day or two later is normal, but sharp pain is a reason to stop.",
            "Keeping a simple log helps you see progress and stay motivated.",
            "A beginner plan or class gives structure so you don't have to guess.",
            "If you have a heart condition or other health issues, check with a doctor first.",
        ),
    ),
    Topic(
        title="Drinking enough water {x}",
        keyword="hydration",
        prompts=(
            "How much water should I drink {x}?",
            "How can I tell if I'm drinking enough water {x}?",
        ),
        slot=("during a normal day", "when exercising", "in hot weather", "at work"),
        cores=(
            "Fluid needs vary from person to person, so thirst and urine colour are better "
            "guides than a fixed number.",
            "There is no single amount that suits everyone, but a few signs tell you if you "
            "are getting enough.",
        ),
        details=(
            "Pale yellow urine usually means you are well hydrated.",
            "Many adults end up drinking somewhere around one and a half to two litres a day.",
            "You need more when you sweat a lot, such as during exercise or heat.",
            "Food, tea and coffee also count towards your fluid intake.",
            "Keeping a water bottle within reach makes it easier to drink regularly.",
            "For long, intense exercise, replacing salt matters as well as water.",
            "Drinking very large amounts quickly can be harmful, so spread it out.",
        ),
    ),
    Topic(
        title="Reducing {x}",
        keyword="nutrition",
        prompts=(
            "What are some realistic ways to cut down on {x}?",
            "I want to reduce {x} in my diet. Where should I start?",
        ),
        slot=("added sugar", "salt", "ultra-processed snacks", "sugary drinks"),
        cores=(
            "Cutting down on {x} works best through gradual swaps rather than strict bans.",
            "Small, steady changes are more sustainable than trying to remove {x} overnight.",
        ),
        details=(
            "Read labels for a week to see where most of it comes from.",
            "Swap one item at a time for a lower alternative you actually like.",
            "Cooking more meals at home gives you control over what goes in.",
            "Your taste adapts within a few weeks, so things start to taste sweet or salty "
            "enough with less.",
            "Keep tempting foods out of easy reach and healthier options in view.",
            "Do not aim for perfection; an occasional treat is fine.",
            "A dietitian can help if you have a specific medical reason to change your diet.",
        ),
    ),
    Topic(
        title="Easing {x}",
        keyword="back-care",
        prompts=(
            "I sit at a desk all day and have {x}. What helps?",
            "Any advice for dealing with {x} from working at a computer?",
        ),
        slot=("lower back pain", "neck stiffness", "tight shoulders", "sore wrists"),
        cores=(
            "Desk-related aches usually improve with better setup and more movement through "
            "the day.",
            "Most {x} from desk work comes from holding one position too long.",
        ),
        details=(
            "Adjust your chair so your feet rest flat and your knees are roughly level with "
            "your hips.",
            "Put the top of the screen at about eye level and an arm's length away.",
            "Keep the keyboard close enough that your elbows stay near your sides.",
            "Stand up and move for a couple of minutes every half hour.",
            "Gentle stretches for the neck, shoulders and hips ease stiffness.",
            "Regular exercise outside work strengthens the muscles that support good posture.",
            "See a doctor or physiotherapist if the pain is severe, spreading or not improving.",
        ),
    ),
    Topic(
        title="Managing {x}",
        keyword="wellbeing",
        prompts=(
            "What are some practical ways to manage {x}?",
            "I've been dealing with {x} lately. What can help?",
        ),
        slot=("everyday stress", "work burnout", "exam anxiety", "low energy in winter"),
        cores=(
            "A few simple habits can make {x} more manageable, though they take some consistency.",
            "Managing {x} usually means looking after the basics and reducing the load where "
            "you can.",
        ),
        details=(
            "Regular physical activity, even a daily walk, improves mood and energy.",
            "Protecting your sleep makes almost everything else easier to handle.",
            "Breaking big tasks into small steps makes them feel less overwhelming.",
            "Slow breathing for a few minutes can calm the body during tense moments.",
            "Talking to friends or family helps more than keeping it to yourself.",
            "Getting outside in daylight, especially in the morning, can lift energy.",
            "If it affects your daily life for weeks, a doctor or counsellor can help.",
        ),
    ),
    Topic(
        title="Treating a {x}",
        keyword="first-aid",
        prompts=(
            "What's the right first aid for a {x}?",
            "How should I take care of a {x} at home?",
        ),
        slot=("minor burn", "small cut", "sprained ankle", "bee sting"),
        cores=(
            "Most cases of a {x} can be handled at home with simple first aid.",
            "Simple first aid handles a {x} well, as long as you watch for warning signs.",
        ),
        details=(
            "Wash your hands before touching the injured area.",
            "Over-the-counter pain relief can help if it is safe for you.",
            "Seek medical care for large or deep injuries, signs of infection, or trouble "
            "breathing.",
        ),
        specific=(
            (
                "minor burn",
                (
                    "Cool it under cool running water for around twenty minutes.",
                    "Avoid ice, butter or creams on a fresh burn.",
                    "Cover it loosely with cling film or a clean non-fluffy dressing.",
                ),
            ),
            (
                "small cut",
                (
                    "Press on it with a clean cloth for a few minutes to stop the bleeding.",
                    "Rinse it gently with clean water to remove dirt.",
                    "Cover it with a plaster and change it if it gets wet or dirty.",
                ),
            ),
            (
                "sprained ankle",
                (
                    "Rest it and avoid putting weight on it for the first day or two.",
                    "Apply ice wrapped in a cloth for fifteen to twenty minutes at a time.",
                    "Keep the foot raised above the level of your heart when you can.",
                ),
            ),
            (
                "bee sting",
                (
                    "Scrape the sting out sideways with a fingernail or card rather than "
                    "squeezing it.",
                    "Wash the area and hold a cold pack on it to reduce swelling.",
                    "Swelling of the face or throat needs emergency help straight away.",
                ),
            ),
        ),
    ),
    Topic(
        title="Eating more {x}",
        keyword="diet",
        prompts=(
            "How can I get more {x} into my diet?",
            "What are easy ways to eat more {x}?",
        ),
        slot=("vegetables", "fibre", "protein", "whole grains"),
        cores=(
            "Adding more {x} is easiest when it is built into meals you already eat.",
            "You do not need a new diet to eat more {x}, just a few regular additions.",
        ),
        details=(
            "Add one extra portion to a meal you already make every week.",
            "Keep frozen options on hand, since they are quick and keep well.",
            "Swap white bread, rice or pasta for whole grain versions.",
            "Beans, lentils and nuts are easy to add to soups and salads.",
            "Plan snacks ahead so the convenient option is also a good one.",
            "Increase fibre gradually and drink enough water to avoid discomfort.",
            "Trying one new recipe a week keeps things from getting boring.",
        ),
    ),
    Topic(
        title="Preparing for {x}",
        keyword="events",
        prompts=(
            "How should I prepare for {x}?",
            "I've signed up for {x}. How do I train and get ready?",
        ),
        slot=("a first 5K race", "a long hike", "a charity cycle ride", "a first half marathon"),
        cores=(
            "Preparing for {x} is mostly about steady build-up and not doing too much too soon.",
            "A gradual plan over several weeks is the most reliable way to get ready for {x}.",
        ),
        details=(
            "Work backwards from the date and spread your training over enough weeks.",
            "Build the longest session a little each week, with an easier week every so often.",
            "Practise with the shoes, clothes and snacks you will use on the day.",
            "Include rest days, since the body adapts during recovery.",
            "Taper for the last week or so to arrive fresh rather than tired.",
            "Sleep well and eat a familiar meal the night before.",
            "Start at a comfortable pace on the day and speed up later if you feel good.",
        ),
    ),
    Topic(
        title="Cutting back on {x}",
        keyword="habits",
        prompts=(
            "I want to cut back on {x}. Any tips that actually work?",
            "How do I cut down on {x} without feeling miserable?",
        ),
        slot=("caffeine", "alcohol", "late-night snacking", "screen time before bed"),
        cores=(
            "Cutting back on {x} works better in steps than by quitting in one go.",
            "The most reliable way to reduce {x} is to change the routine around it.",
        ),
        details=(
            "Track your current habit for a week to get an honest baseline.",
            "Reduce by a small amount each week instead of stopping suddenly.",
            "Notice the triggers, such as times, places or moods, and plan an alternative.",
            "Replace the habit with something you enjoy rather than leaving a gap.",
            "Tell someone about your goal so they can support you.",
            "Expect a few setbacks and just pick up again the next day.",
            "If stopping causes strong withdrawal symptoms, talk to a doctor first.",
        ),
    ),
    Topic(
        title="Protecting {x}",
        keyword="prevention",
        prompts=(
            "What everyday habits help protect my {x}?",
            "How do I look after my {x} as I get older?",
        ),
        slot=("eyesight", "hearing", "teeth", "skin"),
        cores=(
            "A few everyday habits go a long way towards protecting your {x}.",
            "Protecting your {x} mostly comes down to prevention and regular checks.",
        ),
        details=(
            "Regular check-ups catch problems early, when they are easiest to treat.",
            "Not smoking helps here, as it does for most of the body.",
            "See a professional promptly if you notice sudden changes.",
        ),
        specific=(
            (
                "eyesight",
                (
                    "With screens, look at something far away for a short moment every twenty "
                    "minutes.",
                    "Wear sunglasses that block ultraviolet light on bright days.",
                    "Good lighting when reading reduces eye strain.",
                ),
            ),
            (
                "hearing",
                (
                    "Keep headphone volume moderate and take breaks from loud places.",
                    "Wear earplugs at concerts or when using loud tools.",
                    "Ringing in the ears after noise is a sign the exposure was too much.",
                ),
            ),
            (
                "teeth",
                (
                    "Brush twice a day with fluoride toothpaste.",
                    "Clean between your teeth daily with floss or small brushes.",
                    "Cutting down on sugary snacks and drinks between meals helps a lot.",
                ),
            ),
            (
                "skin",
                (
                    "Use sunscreen and shade when the sun is strong.",
                    "Moisturise if your skin tends to get dry, especially in winter.",
                    "Check moles now and then for changes in size, shape or colour.",
                ),
            ),
        ),
    ),
    Topic(
        title="Recovering after {x}",
        keyword="recovery",
        prompts=(
            "How should I recover after {x}?",
            "What helps the body bounce back after {x}?",
        ),
        slot=("a hard workout", "a long run", "a cold", "a night of bad sleep"),
        cores=(
            "Recovery after {x} depends mainly on rest, food, fluids and patience.",
            "The body recovers from {x} on its own if you give it the basics.",
        ),
        details=(
            "Drink fluids steadily over the following hours.",
            "Eat a meal with protein and carbohydrate within a few hours.",
            "Light movement, like walking, helps more than lying still all day.",
            "Prioritise sleep for the next night or two.",
            "Go easy for a day or so before returning to full effort.",
            "Pay attention to symptoms that get worse instead of better.",
            "Contact a doctor if you have a high fever, chest pain or unusual breathlessness.",
        ),
    ),
    Topic(
        title="Building a habit of {x}",
        keyword="routine",
        prompts=(
            "I keep failing to stick with {x}. How do I make it a habit?",
            "What's the best way to build a lasting habit of {x}?",
        ),
        slot=("daily walking", "stretching every morning", "cooking at home", "meditating"),
        cores=(
            "Habits like {x} stick when they are small, easy and tied to something you already do.",
            "Most people give up on {x} because they start too big, so start tiny.",
        ),
        details=(
            "Attach the new habit to an existing routine, like right after breakfast.",
            "Begin with a version so small it feels almost too easy.",
            "Prepare what you need the night before to remove friction.",
            "Mark each day you do it on a calendar and try not to break the chain.",
            "Missing one day is fine; try not to miss two in a row.",
            "Increase the amount only after the habit feels automatic.",
            "Doing it with a friend adds accountability.",
        ),
    ),
    Topic(
        title="Understanding {x}",
        keyword="health-basics",
        prompts=(
            "Can you explain {x} in simple terms?",
            "What should a regular person know about {x}?",
        ),
        slot=(
            "blood pressure readings",
            "cholesterol numbers",
            "body mass index",
            "resting heart rate",
        ),
        cores=(
            "Understanding {x} helps you make sense of a check-up, though a doctor interprets "
            "them in context.",
            "The numbers for {x} are one piece of the picture, not a diagnosis on their own.",
        ),
        details=(
            "A single reading can vary, so trends over time matter more.",
            "Diet, activity, sleep and stress all affect these numbers.",
            "Ask your doctor what targets make sense for your own situation.",
        ),
        specific=(
            (
                "blood pressure readings",
                (
                    "Blood pressure is written as two numbers, the pressure during and between "
                    "heartbeats.",
                    "Readings taken at home, at rest, are often lower than those in a clinic.",
                ),
            ),
            (
                "cholesterol numbers",
                (
                    "Results are usually split into LDL, HDL and total cholesterol.",
                    "LDL is the kind doctors usually want lower, while HDL is the kind that helps.",
                ),
            ),
            (
                "body mass index",
                (
                    "Body mass index is weight divided by height squared.",
                    "It is a rough screening tool that ignores muscle mass and body shape.",
                ),
            ),
            (
                "resting heart rate",
                (
                    "Many healthy adults have a resting heart rate between sixty and one hundred.",
                    "Measure it in the morning before getting up for the most consistent number.",
                ),
            ),
        ),
    ),
)

BANK = DomainBank(name="health", field="Preventive Medicine", topics=_TOPICS)
