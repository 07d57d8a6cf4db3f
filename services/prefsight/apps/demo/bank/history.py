"""History topics for the demo content bank."""

from __future__ import annotations

from prefsight.apps.demo.bank.types import DomainBank, Topic

_TOPICS = (
    Topic(
        title="The causes of {x}",
        keyword="causes",
        prompts=(
            "What were the main causes of {x}?",
            "Why did {x} happen?",
        ),
        slot=(
            "the First World War",
            "the French Revolution",
            "the fall of the Western Roman Empire",
            "the American Civil War",
        ),
        cores=(
            "Historians usually explain {x} through several causes working together rather "
            "than a single trigger.",
            "There was no one cause of {x}; long-term pressures met a short-term spark.",
        ),
        details=(
            "Long-running economic strain left many groups dissatisfied.",
            "Political institutions struggled to adapt to changing circumstances.",
            "Rivalries between powerful groups made compromise harder.",
            "A specific event turned existing tensions into open conflict.",
            "New ideas spread and gave people language for their grievances.",
            "Historians still debate how much weight each factor deserves.",
            "Reading a survey history alongside primary sources shows how the arguments developed.",
        ),
    ),
    Topic(
        title="Daily life in {x}",
        keyword="daily-life",
        prompts=(
            "What was daily life like in {x}?",
            "How did ordinary people live in {x}?",
        ),
        slot=(
            "ancient Rome",
            "medieval England",
            "Edo-period Japan",
            "ancient Egypt",
            "Victorian London",
        ),
        cores=(
            "Daily life in {x} varied enormously depending on wealth, gender and whether "
            "people lived in a city or the countryside.",
            "For most ordinary people in {x}, life revolved around work, family and local "
            "community.",
        ),
        details=(
            "Most people worked long hours in farming, crafts or trade.",
            "Households often included extended family, and children worked from a young age.",
            "Diet was based on local staples, with meat more common among the wealthy.",
            "Religious festivals and markets structured the year.",
            "Disease and childbirth were major dangers by modern standards.",
            "Much of what we know comes from records left by the literate elite.",
            "Archaeology helps fill in the lives of people who left no writing.",
        ),
    ),
    Topic(
        title="The significance of {x}",
        keyword="turning-points",
        prompts=(
            "Why is {x} considered so important?",
            "What was the significance of {x}?",
        ),
        slot=(
            "the printing press",
            "the Magna Carta",
            "the Silk Road",
            "the Industrial Revolution",
            "the Columbian Exchange",
        ),
        cores=(
            "The importance of {x} lies mostly in its long-term effects rather than in what "
            "happened at the time.",
            "Historians see {x} as a turning point because it changed how people lived, "
            "traded or governed.",
        ),
        details=(
            "Its immediate impact was limited to a fairly small group of people.",
            "Over generations, its effects spread across societies and borders.",
            "It changed how information, goods or power moved.",
            "Later generations reinterpreted it to support their own causes.",
            "Some of its consequences were harmful as well as beneficial.",
            "Comparing regions shows that its effects were uneven.",
            "Its legacy is still debated by historians today.",
        ),
    ),
    Topic(
        title="Studying {x}",
        keyword="historiography",
        prompts=(
            "How should I start learning about {x}?",
            "What's a good way to study {x} as a beginner?",
        ),
        slot=(
            "the Byzantine Empire",
            "the Cold War",
            "the Ming dynasty",
            "the Renaissance",
            "the history of Africa",
        ),
        cores=(
            "A good way into {x} is to start with a broad overview and then follow the parts "
            "that interest you.",
            "Learning about {x} works best when you combine a general narrative with a few "
            "original sources.",
        ),
        details=(
            "Begin with a recent, well-reviewed general history written for non-specialists.",
            "Make a simple timeline of key events and people as you read.",
            "Read some primary sources in translation to hear contemporary voices.",
            "Notice who wrote each source and why, since that shapes what it says.",
            "Documentaries and lectures from universities can complement reading.",
            "Compare how different historians explain the same events.",
            "Visiting museums with relevant collections brings the material to life.",
        ),
    ),
    Topic(
        title="How {x} was built",
        keyword="ancient-engineering",
        prompts=(
            "How was {x} built?",
            "What do we know about the construction of {x}?",
        ),
        slot=(
            "the Great Pyramid of Giza",
            "Hadrian's Wall",
            "the Parthenon",
            "the Great Wall of China",
            "Stonehenge",
        ),
        cores=(
            "Building {x} relied on large, organised workforces, simple but effective tools "
            "and years of effort.",
            "The construction of {x} shows how much could be done with careful planning and "
            "human labour.",
        ),
        details=(
            "Workers quarried stone nearby where possible to reduce transport.",
            "Ramps, levers, sledges and rollers helped move heavy materials.",
            "Skilled craftsmen worked alongside large numbers of labourers.",
            "Food, housing and tools for the workforce had to be organised at scale.",
            "Construction often stretched over many years or even generations.",
            "Archaeologists study tool marks, quarries and workers' settlements for evidence.",
            "Some details remain uncertain and are still investigated today.",
        ),
    ),
    Topic(
        title="The role of {x}",
        keyword="social-history",
        prompts=(
            "What role did {x} play in society?",
            "How important were {x} historically?",
        ),
        slot=(
            "medieval guilds",
            "monasteries in medieval Europe",
            "coffee houses in 18th-century London",
            "the samurai in Japan",
        ),
        cores=(
            "The role of {x} changed over time, and it went well beyond their best-known function.",
            "{X} were important because they shaped work, learning and social networks.",
        ),
        details=(
            "They provided structure and rules for their members.",
            "They often controlled access to training and knowledge.",
            "They connected people across social and sometimes regional boundaries.",
            "Their influence declined as economies and governments changed.",
            "Surviving records give historians detailed glimpses of their activities.",
            "Their reputation in later centuries was sometimes exaggerated or romanticised.",
            "Comparing them with similar institutions elsewhere is revealing.",
        ),
    ),
    Topic(
        title="The spread of {x}",
        keyword="diffusion",
        prompts=(
            "How did {x} spread around the world?",
            "How did {x} travel between regions historically?",
        ),
        slot=("paper-making", "the potato", "tea drinking", "gunpowder", "coffee"),
        cores=(
            "The spread of {x} followed trade routes, migration and sometimes conquest.",
            "{X} moved across regions over centuries, carried by traders, travellers and armies.",
        ),
        details=(
            "It usually began in one region and spread slowly to neighbours.",
            "Merchants played a central role in carrying it to new markets.",
            "Local people adapted it to their own needs and tastes.",
            "Sometimes governments encouraged it, and sometimes they tried to restrict it.",
            "Its arrival often changed local economies in unexpected ways.",
            "Dating exactly when it reached each place can be difficult.",
            "Its history shows how connected the pre-modern world was.",
        ),
    ),
    Topic(
        title="Life of {x}",
        keyword="biography",
        prompts=(
            "Who was {x} and why do people still talk about them?",
            "Can you give me a short overview of {x}'s life and legacy?",
        ),
        slot=("Ibn Battuta", "Elizabeth I", "Leonardo da Vinci", "Mansa Musa", "Ada Lovelace"),
        cores=(
            "{X} is remembered both for personal achievements and for what their life reveals "
            "about their era.",
            "The life of {x} is well documented in some respects and uncertain in others.",
        ),
        details=(
            "They rose to prominence through a mix of talent, circumstance and connections.",
            "Their work influenced contemporaries and later generations.",
            "Some famous stories about them are legends added later.",
            "Letters, chronicles and official records are the main sources about them.",
            "Historians continue to reassess their reputation as new evidence appears.",
            "Their life is a useful window onto the politics and culture of the time.",
            "A good modern biography separates the evidence from the myths.",
        ),
    ),
    Topic(
        title="Primary sources on {x}",
        keyword="primary-sources",
        prompts=(
            "What kinds of primary sources exist for {x}?",
            "Where would a student find primary sources on {x}?",
        ),
        slot=(
            "the Roman Republic",
            "the Atlantic slave trade",
            "the Tudor period",
            "the Meiji Restoration",
        ),
        cores=(
            "Primary sources on {x} come in many forms, from official documents to objects "
            "and images.",
            "There is a surprising range of original material on {x}, much of it translated.",
        ),
        details=(
            "Official records include laws, court cases and tax documents.",
            "Letters and diaries show personal experiences and opinions.",
            "Newspapers and pamphlets reveal public debates where they existed.",
            "Material objects and buildings are evidence too.",
            "University libraries and national archives hold many digitised collections.",
            "Source books collect key documents with helpful introductions.",
            "Always ask who created a source, for whom and with what purpose.",
        ),
    ),
    Topic(
        title="Myths about {x}",
        keyword="historical-myths",
        prompts=(
            "What are common misconceptions about {x}?",
            "Which popular beliefs about {x} are actually wrong?",
        ),
        slot=("the Vikings", "the Middle Ages", "ancient Greece", "the Wild West"),
        cores=(
            "Popular ideas about {x} often come from later novels, films and paintings rather "
            "than from the evidence.",
            "Several common beliefs about {x} turn out to be exaggerated or invented.",
        ),
        details=(
            "Nineteenth-century writers shaped many of the images we still have.",
            "Everyday life was usually more ordinary than dramatic stories suggest.",
            "People of the time were not as uniform as popular images imply.",
            "Technology and knowledge were often more advanced than assumed.",
            "Violence existed but is overrepresented in popular culture.",
            "Recent archaeology has corrected several older assumptions.",
            "Checking where a claim comes from is the best test of it.",
        ),
    ),
    Topic(
        title="The end of {x}",
        keyword="decline",
        prompts=(
            "Why did {x} come to an end?",
            "What led to the decline of {x}?",
        ),
        slot=(
            "the Ottoman Empire",
            "the Aztec Empire",
            "the Han dynasty",
            "the Soviet Union",
            "the Mughal Empire",
        ),
        cores=(
            "The end of {x} resulted from internal weaknesses combined with outside pressures.",
            "Historians generally describe the decline of {x} as gradual, then sudden.",
        ),
        details=(
            "Financial strain limited the state's ability to respond to crises.",
            "Succession disputes or political infighting weakened central authority.",
            "External rivals took advantage of moments of weakness.",
            "Regional leaders gained more independence over time.",
            "Economic changes shifted wealth away from the old centre.",
            "A final crisis often tipped an already fragile system over.",
            "Its institutions and culture frequently outlasted the state itself.",
        ),
    ),
    Topic(
        title="Technology in {x}",
        keyword="history-of-technology",
        prompts=(
            "What technologies were important in {x}?",
            "How advanced was technology in {x}?",
        ),
        slot=(
            "the Roman Empire",
            "Song dynasty China",
            "the Islamic Golden Age",
            "medieval Europe",
        ),
        cores=(
            "Technology in {x} was more sophisticated than many people expect.",
            "Several technologies from {x} had lasting influence well beyond their time.",
        ),
        details=(
            "Advances in agriculture supported larger populations.",
            "Engineering projects like roads, canals and aqueducts improved movement and supply.",
            "Knowledge was preserved and extended through copying and translation.",
            "Improvements in navigation and shipbuilding expanded trade.",
            "Many innovations spread to neighbouring regions over time.",
            "Craft knowledge was often passed on through apprenticeship rather than writing.",
            "Museums and archaeological finds show surviving examples.",
        ),
    ),
    Topic(
        title="Comparing {x}",
        keyword="comparative-history",
        prompts=(
            "How do {x} compare?",
            "What were the main similarities and differences between {x}?",
        ),
        slot=(
            "Athens and Sparta",
            "the Roman and Han empires",
            "the English and French monarchies",
            "the Inca and Aztec empires",
        ),
        cores=(
            "Comparing {x} shows both shared challenges and very different solutions.",
            "{X} make a useful comparison because they faced similar problems in different ways.",
        ),
        details=(
            "Both had to feed large populations and defend their territory.",
            "Their political systems distributed power in different ways.",
            "Geography strongly shaped their economies and priorities.",
            "Religion and ideology gave each its own sense of legitimacy.",
            "They differed in how they treated conquered or subordinate peoples.",
            "Our evidence for each is uneven, which complicates comparison.",
            "Comparisons help avoid treating any one society as the norm.",
        ),
    ),
    Topic(
        title="Visiting sites of {x}",
        keyword="heritage",
        prompts=(
            "Which historical sites should I visit to learn about {x}?",
            "I'm interested in {x}. What places are worth visiting?",
        ),
        slot=("ancient Greece", "the Second World War", "the Maya", "Viking Scandinavia"),
        cores=(
            "Visiting sites connected to {x} is a great way to see history in context.",
            "A trip focused on {x} works best when you read a little before each visit.",
        ),
        details=(
            "Start with the main national museum, which gives an overview.",
            "Archaeological sites are more meaningful with a guide or audio guide.",
            "Smaller local museums often have surprising collections.",
            "Check opening times and book tickets ahead in busy seasons.",
            "Combine famous sites with quieter ones to avoid fatigue.",
            "Bring water and good shoes, since many sites involve a lot of walking.",
            "Respect memorial sites as places of remembrance.",
        ),
    ),
)

BANK = DomainBank(name="history", field="Historical Studies", topics=_TOPICS)
