namespace GitOps.Runtime.Containers;

/// <summary>Random adjective_surname names for containers created without --name, as Docker's.</summary>
public static class NameGenerator
{
    static readonly string[] Left =
    [
        "admiring", "adoring", "affectionate", "agitated", "amazing", "angry", "awesome", "beautiful", "blissful",
        "bold", "boring", "brave", "busy", "charming", "clever", "compassionate", "competent", "condescending",
        "confident", "cool", "cranky", "crazy", "dazzling", "determined", "distracted", "dreamy", "eager", "ecstatic",
        "elastic", "elated", "elegant", "eloquent", "epic", "exciting", "fervent", "festive", "flamboyant", "focused",
        "friendly", "frosty", "funny", "gallant", "gifted", "goofy", "gracious", "great", "happy", "hardcore",
        "heuristic", "hopeful", "hungry", "infallible", "inspiring", "intelligent", "interesting", "jolly", "jovial",
        "keen", "kind", "laughing", "loving", "lucid", "magical", "modest", "musing", "mystifying", "naughty",
        "nervous", "nice", "nifty", "nostalgic", "objective", "optimistic", "peaceful", "pedantic", "pensive",
        "practical", "priceless", "quirky", "quizzical", "recursing", "relaxed", "reverent", "romantic", "sad",
        "serene", "sharp", "silly", "sleepy", "stoic", "strange", "stupefied", "suspicious", "sweet", "tender",
        "thirsty", "trusting", "unruffled", "upbeat", "vibrant", "vigilant", "vigorous", "wizardly", "wonderful",
        "xenodochial", "youthful", "zealous", "zen",
    ];

    static readonly string[] Right =
    [
        "albattani", "allen", "almeida", "archimedes", "ardinghelli", "aryabhata", "austin", "babbage", "banach",
        "bardeen", "bartik", "bassi", "bell", "bhabha", "bhaskara", "blackwell", "bohr", "booth", "borg", "bose",
        "boyd", "brahmagupta", "brattain", "brown", "carson", "cerf", "chandrasekhar", "clarke", "colden", "cori",
        "cray", "curie", "darwin", "davinci", "dijkstra", "dubinsky", "easley", "edison", "einstein", "elion",
        "engelbart", "euclid", "euler", "fermat", "fermi", "feynman", "franklin", "galileo", "gates", "goldberg",
        "goldstine", "goldwasser", "golick", "goodall", "hamilton", "hawking", "heisenberg", "hermann", "hodgkin",
        "hofstadter", "hoover", "hopper", "hugle", "hypatia", "jackson", "jang", "jennings", "jepsen", "johnson",
        "joliot", "jones", "kalam", "kapitsa", "kare", "keldysh", "keller", "kepler", "khorana", "kilby", "kirch",
        "knuth", "kowalevski", "lalande", "lamarr", "lamport", "leakey", "leavitt", "lehmann", "lewin", "lichterman",
        "liskov", "lovelace", "lumiere", "mahavira", "margulis", "matsumoto", "maxwell", "mayer", "mccarthy",
        "mcclintock", "mclean", "mcnulty", "meitner", "mendel", "mendeleev", "merkle", "mestorf", "mirzakhani",
        "morse", "murdock", "napier", "nash", "neumann", "newton", "nightingale", "nobel", "noether", "northcutt",
        "noyce", "panini", "pare", "pascal", "pasteur", "payne", "perlman", "pike", "poincare", "poitras",
        "ptolemy", "raman", "ramanujan", "ride", "ritchie", "robinson", "roentgen", "rosalind", "rubin", "saha",
        "sammet", "satoshi", "shannon", "shaw", "shirley", "shockley", "sinoussi", "snyder", "spence", "stallman",
        "stonebraker", "swanson", "swartz", "swirles", "tesla", "thompson", "torvalds", "turing", "varahamihira",
        "visvesvaraya", "volhard", "wescoff", "wiles", "williams", "wilson", "wing", "wozniak", "wright", "yalow",
        "yonath",
    ];

    public static string Generate(Func<string, bool> isTaken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var name = $"{Left[Random.Shared.Next(Left.Length)]}_{Right[Random.Shared.Next(Right.Length)]}";
            if (attempt > 10) name += Random.Shared.Next(10);
            if (!isTaken(name)) return name;
        }
    }
}
