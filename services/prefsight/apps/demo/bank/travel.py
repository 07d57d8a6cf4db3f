"""Travel topics for the demo content bank."""

from __future__ import annotations

from prefsight.apps.demo.bank.types import DomainBank, Topic

_TOPICS = (
    Topic(
        title="Packing light for {x}",
        keyword="packing",
        prompts=(
            "How can I pack for {x} with only a carry-on bag?",
            "What's your approach to packing light for {x}?",
        ),
        slot=(
            "a week in Italy",
            "a business trip",
            "a two-week backpacking trip",
            "a winter city break",
        ),
        cores=(
            "Packing light for {x} is mostly about choosing clothes that work together.",
            "A carry-on is enough for {x} if you plan outfits and accept doing a little laundry.",
        ),
        details=(
            "Pick a simple colour scheme so every top goes with every bottom.",
            "Pack for about five days and plan to wash clothes once or twice.",
            "Wear your bulkiest shoes and jacket on the plane.",
            "Rolling clothes or using packing cubes keeps things compact and tidy.",
            "Decant toiletries into small bottles or buy them when you arrive.",
            "Lay everything out first, then remove a third of it.",
            "Leave a little space for anything you pick up along the way.",
        ),
    ),
    Topic(
        title="Dealing with jet lag after {x}",
        keyword="jet-lag",
        prompts=(
            "How do I get over jet lag after {x}?",
            "Any tips to reduce jet lag when I take {x}?",
        ),
        slot=(
            "a flight from London to Tokyo",
            "an overnight flight to New York",
            "a long-haul flight to Sydney",
            "a red-eye across the country",
        ),
        cores=(
            "Jet lag fades faster when you shift your body clock to local time as soon as "
            "possible.",
            "The main tools against jet lag are light, sleep timing and meal timing.",
        ),
        details=(
            "Start moving your bedtime an hour towards the destination time a few days before.",
            "On arrival, get outside in daylight, especially in the morning.",
            "Eat meals at local times even if you are not very hungry.",
            "Keep any nap under thirty minutes so you can still sleep at night.",
            "Drink water on the flight and go easy on alcohol.",
            "Plan a light first day instead of important meetings.",
            "A rough rule is about one day to adjust for each time zone crossed.",
        ),
    ),
    Topic(
        title="Planning a budget trip to {x}",
        keyword="budget-travel",
        prompts=(
            "How can I visit {x} on a tight budget?",
            "What are good ways to save money on a trip to {x}?",
        ),
        slot=("Japan", "Iceland", "Switzerland", "New York", "Norway"),
        cores=(
            "Even an expensive destination like {x} is manageable with some planning.",
            "Saving money in {x} comes down to accommodation, transport and food choices.",
        ),
        details=(
            "Travel outside peak season, when flights and rooms cost less.",
            "Look at hostels, guesthouses or apartments with a kitchen.",
            "Supermarkets and bakeries make cheap, good breakfasts and lunches.",
            "Check whether a regional transport pass pays off for your route.",
            "Many museums have free days or discounted evening entry.",
            "Set a daily budget and track spending in a simple app.",
            "Walking between nearby sights saves money and shows you more of the place.",
        ),
    ),
    Topic(
        title="Staying safe while travelling {x}",
        keyword="travel-safety",
        prompts=(
            "What precautions should I take when travelling {x}?",
            "How do I stay safe travelling {x}?",
        ),
        slot=(
            "alone for the first time",
            "in a big unfamiliar city",
            "at night",
            "with a lot of camera gear",
        ),
        cores=(
            "Most travel safety comes down to planning ahead and staying aware of your "
            "surroundings.",
            "Travelling {x} is generally fine with a few sensible habits.",
        ),
        details=(
            "Share your itinerary with someone at home and check in regularly.",
            "Keep copies of your passport and cards separate from the originals.",
            "Use a bag that closes fully and keep it in front of you in crowds.",
            "Arrive in a new place during daylight when you can.",
            "Book the first night's accommodation before you go.",
            "Use licensed taxis or ride apps rather than accepting offers at the door.",
            "Trust your instincts and leave any situation that feels wrong.",
        ),
    ),
    Topic(
        title="Getting around {x}",
        keyword="public-transport",
        prompts=(
            "What's the easiest way to get around {x} as a visitor?",
            "Should I rent a car or use public transport in {x}?",
        ),
        slot=("Tokyo", "London", "Paris", "Berlin", "Barcelona"),
        cores=(
            "Public transport is the easiest way to get around {x}, and a car is rarely worth it.",
            "In {x}, trains, buses and walking cover nearly everything a visitor needs.",
        ),
        details=(
            "Get a reloadable transport card or use contactless payment where accepted.",
            "Download the official transit app or an offline map before you arrive.",
            "Avoid the busiest commuter hours if you are carrying luggage.",
            "Parking in the centre is expensive and hard to find.",
            "Many central sights are closer together than they look on a map.",
            "Check when the last trains run if you plan to be out late.",
            "Renting a bike can be a pleasant way to cover middle distances.",
        ),
    ),
    Topic(
        title="Finding cheap flights to {x}",
        keyword="flights",
        prompts=(
            "How do I find cheaper flights to {x}?",
            "When is the best time to book flights to {x}?",
        ),
        slot=("Europe", "South America", "Southeast Asia", "the Caribbean"),
        cores=(
            "Cheaper flights to {x} mostly come from flexibility on dates and airports.",
            "There is no magic booking day, but flexibility and alerts save money on flights "
            "to {x}.",
        ),
        details=(
            "Compare prices across a whole month rather than fixed dates.",
            "Check nearby airports on both ends of the trip.",
            "Set price alerts a few months ahead and book when the fare dips.",
            "Midweek departures are often cheaper than weekends.",
            "Look at the total cost, including baggage and seat fees.",
            "Booking directly with the airline can make changes easier.",
            "For long trips, an open-jaw ticket can save backtracking.",
        ),
    ),
    Topic(
        title="Travelling with {x}",
        keyword="family-travel",
        prompts=(
            "Any advice for travelling with {x}?",
            "How do I make a long trip easier with {x}?",
        ),
        slot=("a toddler", "teenagers", "elderly parents", "a dog"),
        cores=(
            "Travelling with {x} goes more smoothly when you plan around their needs and slow "
            "down.",
            "The key with {x} is building in extra time and fewer activities per day.",
        ),
        details=(
            "Choose accommodation with space to rest and ideally a kitchen.",
            "Plan one main activity a day and keep the rest flexible.",
            "Pack snacks, water and something to pass the time for journeys.",
            "Check access, such as lifts or step-free routes, in advance.",
            "Bring any medicines and documents in your hand luggage.",
            "Involve everyone in choosing a few activities.",
            "Leave buffer time between connections for unexpected delays.",
        ),
    ),
    Topic(
        title="Handling money abroad in {x}",
        keyword="travel-money",
        prompts=(
            "What's the best way to handle money when I travel to {x}?",
            "Should I bring cash or rely on cards in {x}?",
        ),
        slot=("Japan", "Mexico", "Morocco", "Germany", "Vietnam"),
        cores=(
            "A mix of a low-fee card and some local cash covers most situations in {x}.",
            "Cards work widely in {x}, but carrying some cash is still wise.",
        ),
        details=(
            "Use a card without foreign transaction fees if you can.",
            "When a terminal offers to charge in your home currency, choose the local "
            "currency instead.",
            "Withdraw cash from bank ATMs rather than standalone machines.",
            "Tell your bank about your trip if it requires it.",
            "Carry a backup card stored separately from your main one.",
            "Small businesses and markets may only take cash.",
            "Avoid airport exchange counters, which usually have poor rates.",
        ),
    ),
    Topic(
        title="Choosing where to stay in {x}",
        keyword="accommodation",
        prompts=(
            "Which area should I stay in when visiting {x}?",
            "How do I choose a neighbourhood to stay in for a trip to {x}?",
        ),
        slot=("Rome", "Lisbon", "Istanbul", "Bangkok", "Mexico City"),
        cores=(
            "The best area in {x} depends on whether you want to be central, quiet or close to "
            "nightlife.",
            "Picking a base in {x} is about balancing location, price and transport links.",
        ),
        details=(
            "Staying near a metro or train station saves a lot of time.",
            "The historic centre is convenient but often noisier and pricier.",
            "Read recent reviews that mention noise, safety and cleanliness.",
            "Look at the neighbourhood on a street-level map before booking.",
            "Choose refundable rates if your plans might change.",
            "Consider splitting a longer stay between two areas.",
            "Check the distance to the sights you care most about.",
        ),
    ),
    Topic(
        title="Learning basic {x} before a trip",
        keyword="language",
        prompts=(
            "How much {x} should I learn before my trip, and how?",
            "What's a quick way to learn basic {x} for travelling?",
        ),
        slot=("Spanish", "Japanese", "Italian", "Portuguese", "Greek"),
        cores=(
            "A few dozen phrases of {x} make a big difference to how a trip feels.",
            "You do not need fluency in {x}, just greetings, numbers and polite requests.",
        ),
        details=(
            "Learn hello, please, thank you, excuse me and sorry first.",
            "Practise numbers so you can handle prices and times.",
            "Learn how to ask where something is and whether someone speaks English.",
            "Ten minutes a day with an app or flashcards adds up over a few weeks.",
            "Listen to how words are pronounced rather than only reading them.",
            "Download an offline translation pack as a backup.",
            "People usually appreciate the effort even if your pronunciation is rough.",
        ),
    ),
    Topic(
        title="Preparing for a {x}",
        keyword="travel-prep",
        prompts=(
            "What should I sort out before a {x}?",
            "Can you give me a checklist approach for preparing a {x}?",
        ),
        slot=("first trip abroad", "road trip", "camping trip", "study abroad semester"),
        cores=(
            "Preparing for a {x} is easier when you work through documents, money, health and "
            "packing in order.",
            "A little preparation a few weeks before a {x} avoids most last-minute stress.",
        ),
        details=(
            "Check that your passport is valid well beyond your return date.",
            "Look up entry requirements, including visas, for your destination.",
            "Buy travel insurance that covers medical costs.",
            "Make digital copies of important documents.",
            "Check whether you need any vaccinations a few weeks ahead.",
            "Plan how you will get from the airport or station to your first stay.",
            "Make sure your phone will work, either with roaming or a local SIM card.",
        ),
    ),
    Topic(
        title="Avoiding crowds at {x}",
        keyword="sightseeing",
        prompts=(
            "How can I avoid the worst crowds at {x}?",
            "Is there a way to see {x} without huge queues?",
        ),
        slot=("the Louvre", "Machu Picchu", "the Colosseum", "Angkor Wat", "the Alhambra"),
        cores=(
            "Timing is the biggest factor in avoiding crowds at {x}.",
            "Queues at {x} shrink a lot if you book ahead and go at unusual times.",
        ),
        details=(
            "Book timed tickets online as far ahead as you can.",
            "Arrive right at opening or in the last couple of hours before closing.",
            "Visit on a weekday and avoid public holidays.",
            "Shoulder seasons bring smaller crowds and milder weather.",
            "Consider a guided early-entry tour if one is offered.",
            "Head to the most famous part first, or save it for last when groups leave.",
            "Check the official site for closures before you go.",
        ),
    ),
    Topic(
        title="Travelling by {x}",
        keyword="overland-travel",
        prompts=(
            "Is travelling by {x} a good idea for a long trip?",
            "What should I know before a long journey by {x}?",
        ),
        slot=("night train", "long-distance bus", "ferry", "camper van"),
        cores=(
            "Travelling by {x} can be comfortable and memorable if you prepare for the long hours.",
            "A {x} journey trades speed for scenery and often saves a night of accommodation.",
        ),
        details=(
            "Book early for the best seats or berths.",
            "Bring layers, since temperatures on board can vary.",
            "Pack a small bag with essentials so you do not need your main luggage.",
            "Download entertainment before you leave in case there is no signal.",
            "Keep valuables with you, especially when sleeping.",
            "Bring food and water in case options on board are limited.",
            "Check the arrival time and plan how to get onwards from there.",
        ),
    ),
    Topic(
        title="Photographing {x} while travelling",
        keyword="travel-photography",
        prompts=(
            "How can I take better travel photos of {x}?",
            "Any tips for photographing {x} on a trip with just a phone?",
        ),
        slot=("landscapes", "city streets", "food", "people I meet", "architecture"),
        cores=(
            "Better travel photos of {x} come from light, composition and patience more than "
            "equipment.",
            "A phone is plenty for {x} if you pay attention to light and framing.",
        ),
        details=(
            "Shoot in the early morning or late afternoon when the light is softer.",
            "Turn on the grid and place your subject off-centre.",
            "Clean the lens before shooting, since phone lenses get smudged constantly.",
            "Ask permission before photographing people up close.",
            "Look for a foreground element to add depth.",
            "Take a few shots of each scene and pick the best later.",
            "Back up your photos every few days.",
        ),
    ),
)

BANK = DomainBank(name="travel", field="Tourism Studies", topics=_TOPICS)
