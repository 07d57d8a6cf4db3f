"""Programming topics for the demo content bank."""

from __future__ import annotations

from prefsight.apps.demo.bank.types import DomainBank, Topic

_TOPICS = (
    Topic(
        title="Reading a large CSV file in {x}",
        keyword="csv",
        prompts=(
            "How do I read a CSV file that's too big to fit in memory in {x}?",
            "My {x} script crashes when loading a 20 GB CSV. What are my options?",
        ),
        slot=("Python", "R", "Java", "Go"),
        cores=(
            "The usual answer is to stop loading the whole file and process it in chunks.",
            "A file that size has to be streamed rather than read in one go.",
        ),
        details=(
            "Read the file line by line or in fixed-size batches and aggregate as you go.",
            "Most {x} CSV libraries have a streaming or iterator mode for exactly this case.",
            "Only parse the columns you actually need, which cuts memory use a lot.",
            "Specify column types up front so the parser does not guess and over-allocate.",
            "If you query the data repeatedly, convert it once to a columnar format like Parquet.",
            "A small embedded database such as SQLite or DuckDB can also query the file directly.",
            "Test your code on the first few thousand rows before running it on the full file.",
        ),
    ),
    Topic(
        title="Undoing a git {x}",
        keyword="git",
        prompts=(
            "How do I undo a git {x} I just did?",
            "I made a mistake with git {x}. Can I reverse it safely?",
        ),
        slot=("commit", "merge", "rebase", "reset"),
        cores=(
            "Git keeps a record of where your branch pointed before, so a bad {x} can almost "
            "always be reversed.",
            "The safe way to undo a {x} depends on whether you have pushed it yet.",
        ),
        details=(
            "Run git reflog to see the recent positions of HEAD and find the one before the "
            "mistake.",
            "If nothing has been pushed, git reset --hard to that entry puts the branch back.",
            "Reset with --hard discards uncommitted changes, so stash or commit them first.",
            "If the work is already shared, use git revert, which adds a new commit instead of "
            "rewriting history.",
            "Creating a backup branch before experimenting makes recovery trivial.",
            "Check git status and git log afterwards to confirm you are where you expect.",
            "Avoid force-pushing to a shared branch without telling your teammates.",
        ),
    ),
    Topic(
        title="Debugging a memory leak in a {x} app",
        keyword="memory-leak",
        prompts=(
            "My {x} app's memory keeps growing until it crashes. How do I find the leak?",
            "What's a good process for tracking down a memory leak in a {x} service?",
        ),
        slot=("Node.js", "Python", "Java", "C#"),
        cores=(
            "Finding a leak is about comparing memory snapshots over time to see what keeps "
            "growing.",
            "Memory leaks in {x} usually come from references that are held longer than intended.",
        ),
        details=(
            "First confirm it is a real leak by graphing memory under a steady, repeatable load.",
            "Take a heap snapshot, run the suspicious workload, then take another.",
            "Compare the two and look for object types whose count keeps climbing.",
            "Caches without a size limit are one of the most common culprits.",
            "Event listeners or callbacks that are registered but never removed also hold memory.",
            "Global collections that only ever get appended to deserve a close look.",
            "Once you have a suspect, write a small reproduction that shows the growth in "
            "isolation.",
        ),
    ),
    Topic(
        title="Writing unit tests for {x}",
        keyword="unit-testing",
        prompts=(
            "How should I write unit tests for {x}?",
            "I have no tests for {x} yet. Where do I start?",
        ),
        slot=(
            "a function that calls an external API",
            "database access code",
            "a date-handling utility",
            "a command-line parser",
        ),
        cores=(
            "Start by testing behaviour through the public interface rather than internal details.",
            "The most useful first tests for {x} cover the normal case and the obvious edge cases.",
        ),
        details=(
            "Pick a handful of inputs whose correct outputs you can work out by hand.",
            "Keep each test focused on one behaviour and give it a descriptive name.",
            "Replace slow or unreliable dependencies with small fakes you control.",
            "Include failure cases, like invalid input, and check the error you get back.",
            "Make tests independent so they can run in any order.",
            "Run them on every change, ideally in continuous integration.",
            "If a bug turns up later, write a test that reproduces it before fixing it.",
        ),
    ),
    Topic(
        title="Speeding up a slow {x} query",
        keyword="sql",
        prompts=(
            "My {x} query takes several seconds. How can I make it faster?",
            "What should I check first when a {x} query is slow?",
        ),
        slot=("PostgreSQL", "MySQL", "SQLite", "SQL Server"),
        cores=(
            "The first step with a slow query is to look at its execution plan before "
            "changing anything.",
            "Slow {x} queries usually come down to missing indexes or scanning more rows than "
            "needed.",
        ),
        details=(
            "Run EXPLAIN, or EXPLAIN ANALYZE where available, to see where the time goes.",
            "A sequential scan on a large table in a filter is a hint that an index is missing.",
            "Add indexes on columns used in WHERE clauses and joins, then measure again.",
            "Select only the columns you need instead of using SELECT star.",
            "Functions applied to indexed columns in a filter can stop the index being used.",
            "Check that table statistics are up to date so the planner makes good choices.",
            "For pages of results, keyset pagination tends to beat large OFFSET values.",
        ),
    ),
    Topic(
        title="Handling errors in {x}",
        keyword="error-handling",
        prompts=(
            "What's a good way to handle errors in {x}?",
            "How should I structure error handling in my {x} code?",
        ),
        slot=("Python", "Go", "Rust", "JavaScript", "Java"),
        cores=(
            "Good error handling means failing loudly at the right place with a message that "
            "says what to fix.",
            "In {x}, the main rule is to handle an error where you can do something useful "
            "about it.",
        ),
        details=(
            "Validate input at the boundary of your program and reject bad data early.",
            "Avoid catching every error broadly, which hides bugs you would want to see.",
            "Include the relevant values in the message, such as the file name or the bad input.",
            "Let unexpected errors propagate to a top-level handler that logs them.",
            "Clean up resources like files and connections even when an error occurs.",
            "Define a small number of specific error types for conditions callers care about.",
            "Write tests for the error paths, not just the happy path.",
        ),
    ),
    Topic(
        title="Learning {x} as a second language",
        keyword="learn-programming",
        prompts=(
            "I know Python already. How should I go about learning {x}?",
            "What's an efficient way to pick up {x} when I already program in another language?",
        ),
        slot=("Rust", "Go", "TypeScript", "Kotlin", "C++"),
        cores=(
            "Since you already know how to program, focus on what is different about {x} "
            "rather than the basics.",
            "The quickest way into {x} is a small real project plus the official guide.",
        ),
        details=(
            "Skim the official tutorial to learn the syntax and the standard tooling.",
            "Pay special attention to how {x} handles types, memory and errors.",
            "Rewrite a small program you have already written in Python.",
            "Read code from a well-maintained open-source project in the language.",
            "Use the standard formatter and linter from the start to pick up idioms.",
            "Solving a few short exercises each day builds familiarity quickly.",
            "Expect the first weeks to feel slow; that is normal when switching languages.",
        ),
    ),
    Topic(
        title="Choosing a data structure for {x}",
        keyword="data-structures",
        prompts=(
            "Which data structure should I use for {x}?",
            "I need to implement {x}. What data structure fits best?",
        ),
        slot=(
            "a task queue ordered by priority",
            "fast membership checks",
            "an undo history",
            "a least-recently-used cache",
        ),
        cores=(
            "The right structure depends on which operations you perform most often.",
            "For {x}, start from the operations you need and their expected frequency.",
        ),
        details=(
            "Before building your own, check the standard library, which often has one ready.",
            "Measure with realistic data sizes, because constant factors matter for small inputs.",
            "Keep the interface small so you can swap the implementation later.",
        ),
        specific=(
            (
                "a task queue ordered by priority",
                (
                    "A binary heap gives quick access to the highest-priority item.",
                    "Inserting and removing from a heap both take logarithmic time.",
                    "If two tasks can share a priority, add a counter so ties keep their order.",
                ),
            ),
            (
                "fast membership checks",
                (
                    "A hash set answers whether an item exists in constant average time.",
                    "If memory is tight and rare false positives are acceptable, a Bloom filter "
                    "is much smaller.",
                    "Make sure the items are hashable and that equal items hash the same.",
                ),
            ),
            (
                "an undo history",
                (
                    "A stack is a natural fit, since the last action is undone first.",
                    "Use a second stack for redo and clear it when a new action arrives.",
                    "Store small reversible commands rather than full copies of the state.",
                ),
            ),
            (
                "a least-recently-used cache",
                (
                    "An LRU cache is usually a hash map combined with a doubly linked list.",
                    "The map finds entries quickly and the list tracks which was used last.",
                    "Many languages ship an ordered dictionary that does most of this for you.",
                ),
            ),
        ),
    ),
    Topic(
        title="Fixing a merge conflict in {x}",
        keyword="merge-conflicts",
        prompts=(
            "How do I resolve a merge conflict in {x}?",
            "Git says there's a conflict in {x}. What do I do now?",
        ),
        slot=("a configuration file", "a lock file", "a large source file", "a README"),
        cores=(
            "A conflict just means both branches changed the same lines, and git wants you to "
            "choose.",
            "Resolving a conflict in {x} is a matter of editing the file to the version you want.",
        ),
        details=(
            "Open the file and look for the conflict markers with the two versions between them.",
            "Decide whether to keep one side, the other, or a combination of both.",
            "Remove the markers, save the file and run the tests.",
            "Mark it resolved with git add, then finish with git commit or git rebase --continue.",
            "Lock files are usually best regenerated by the package manager instead of edited.",
            "A visual merge tool can make larger conflicts much easier to read.",
            "If it goes wrong, git merge --abort takes you back to before the merge.",
        ),
    ),
    Topic(
        title="Making a {x} script faster",
        keyword="performance",
        prompts=(
            "My {x} script is slow. How do I speed it up?",
            "What are the first things to try when optimising a {x} program?",
        ),
        slot=("Python", "Bash", "JavaScript", "R"),
        cores=(
            "Measure first, because the slow part is rarely where you expect.",
            "Speeding up a {x} script starts with profiling to find where the time is spent.",
        ),
        details=(
            "Run a profiler on a realistic input and sort functions by total time.",
            "Look for work repeated inside loops that could be done once outside.",
            "Swapping a list search for a set or dictionary lookup can help dramatically.",
            "Batch input and output instead of reading or writing one line at a time.",
            "Cache the results of expensive calls that get repeated with the same arguments.",
            "Only reach for parallelism after the single-threaded code is reasonable.",
            "Keep a timing benchmark so you know whether each change helped.",
        ),
    ),
    Topic(
        title="Storing passwords in {x}",
        keyword="password-hashing",
        prompts=(
            "What's the right way to store user passwords in my {x} app?",
            "How should a {x} backend hash and store passwords?",
        ),
        slot=("Django", "Express", "Spring", "Flask", "Rails"),
        cores=(
            "Passwords should be stored only as slow, salted hashes, never as plain text or "
            "reversible encryption.",
            "For {x}, use a dedicated password hashing algorithm rather than a general hash "
            "like SHA-256.",
        ),
        details=(
            "Argon2id, bcrypt and scrypt are the common choices and are designed to be slow.",
            "Each password gets its own random salt, which these libraries handle for you.",
            "Use the framework's built-in helpers rather than writing your own.",
            "Tune the work factor so that hashing takes a noticeable fraction of a second.",
            "Compare hashes with the library's verify function to avoid timing leaks.",
            "Rate-limit login attempts to slow down guessing.",
            "Plan for rehashing old passwords when users log in after you raise the cost.",
        ),
    ),
    Topic(
        title="Structuring a {x} project",
        keyword="project-structure",
        prompts=(
            "How should I organise the folders and modules of a {x} project?",
            "My {x} project has grown messy. What's a sensible structure?",
        ),
        slot=("Python", "React", "Go", "Node.js"),
        cores=(
            "A good layout groups code by what it does and keeps each module focused on one job.",
            "There is no single right structure for {x}, but a few conventions help a lot.",
        ),
        details=(
            "Keep application code, tests and configuration in separate top-level folders.",
            "Group modules by feature rather than by type once the project grows.",
            "Keep the entry point thin and move logic into importable modules.",
            "Follow the community conventions for {x} so newcomers find things quickly.",
            "Put shared helpers in one place instead of copying them around.",
            "Write a short README explaining the layout and how to run the tests.",
            "Restructure gradually, moving one module at a time with tests passing.",
        ),
    ),
    Topic(
        title="Dealing with {x} in an API client",
        keyword="api-client",
        prompts=(
            "How should my API client handle {x}?",
            "What's the best practice for dealing with {x} when calling a web API?",
        ),
        slot=("rate limits", "timeouts", "pagination", "authentication tokens that expire"),
        cores=(
            "Robust clients treat {x} as a normal part of talking to an API, not an edge case.",
            "Handling {x} well mostly means reading the API documentation and building a "
            "small wrapper.",
        ),
        details=(
            "Set an explicit timeout on every request so nothing hangs forever.",
            "Retry transient failures with exponential backoff and a little random jitter.",
            "Respect the Retry-After header when the server sends one.",
            "Follow the next-page cursor until the API says there are no more results.",
            "Refresh tokens shortly before they expire instead of waiting for a failure.",
            "Log the status code and request ID when something fails.",
            "Keep all of this in one client module so the rest of the code stays simple.",
        ),
    ),
    Topic(
        title="Choosing between {x}",
        keyword="architecture",
        prompts=(
            "How do I decide between {x} for a new project?",
            "What are the trade-offs between {x}?",
        ),
        slot=(
            "a monolith and microservices",
            "SQL and NoSQL databases",
            "REST and GraphQL",
            "threads and async code",
        ),
        cores=(
            "The choice between {x} depends on your team, your scale and your access patterns.",
            "Neither option is better in general; each fits certain situations.",
        ),
        details=(
            "Start with the simpler option unless you have a concrete reason not to.",
            "Consider what your team already knows, since familiarity speeds delivery.",
            "Write down the specific problems you expect, then check which option addresses them.",
            "Think about how you will test, deploy and monitor each approach.",
            "Build a small prototype of the riskiest part before committing.",
            "Keep boundaries clean so you can change your mind later.",
            "Look at how similar projects solved the same problem.",
        ),
    ),
)

BANK = DomainBank(name="programming", field="Software Engineering", topics=_TOPICS)
