namespace SmallLlm.Eval.Tasks.Mmlu;

/// <summary>
/// The 57 MMLU subjects and their categories. Two mappings: lm-evaluation-harness's (<c>lm_eval/tasks/mmlu/
/// _generate_configs.py</c> SUBJECTS, the default) and the original release's (hendrycks/test categories.py: subject →
/// subcategory → category, named "hendrycks"). They differ only in anatomy: STEM in lm-eval, "other" (health) in the original.
/// </summary>
public static class MmluSubjects
{
    public const string Stem = "stem", Humanities = "humanities", SocialSciences = "social_sciences", Other = "other";

    private static readonly Dictionary<string, string> Subcategory = new()
    {
        ["abstract_algebra"] = "math", ["anatomy"] = "health", ["astronomy"] = "physics", ["business_ethics"] = "business",
        ["clinical_knowledge"] = "health", ["college_biology"] = "biology", ["college_chemistry"] = "chemistry",
        ["college_computer_science"] = "computer science", ["college_mathematics"] = "math", ["college_medicine"] = "health",
        ["college_physics"] = "physics", ["computer_security"] = "computer science", ["conceptual_physics"] = "physics",
        ["econometrics"] = "economics", ["electrical_engineering"] = "engineering", ["elementary_mathematics"] = "math",
        ["formal_logic"] = "philosophy", ["global_facts"] = "other", ["high_school_biology"] = "biology",
        ["high_school_chemistry"] = "chemistry", ["high_school_computer_science"] = "computer science",
        ["high_school_european_history"] = "history", ["high_school_geography"] = "geography",
        ["high_school_government_and_politics"] = "politics", ["high_school_macroeconomics"] = "economics",
        ["high_school_mathematics"] = "math", ["high_school_microeconomics"] = "economics", ["high_school_physics"] = "physics",
        ["high_school_psychology"] = "psychology", ["high_school_statistics"] = "math", ["high_school_us_history"] = "history",
        ["high_school_world_history"] = "history", ["human_aging"] = "health", ["human_sexuality"] = "culture",
        ["international_law"] = "law", ["jurisprudence"] = "law", ["logical_fallacies"] = "philosophy",
        ["machine_learning"] = "computer science", ["management"] = "business", ["marketing"] = "business",
        ["medical_genetics"] = "health", ["miscellaneous"] = "other", ["moral_disputes"] = "philosophy",
        ["moral_scenarios"] = "philosophy", ["nutrition"] = "health", ["philosophy"] = "philosophy", ["prehistory"] = "history",
        ["professional_accounting"] = "other", ["professional_law"] = "law", ["professional_medicine"] = "health",
        ["professional_psychology"] = "psychology", ["public_relations"] = "politics", ["security_studies"] = "politics",
        ["sociology"] = "culture", ["us_foreign_policy"] = "politics", ["virology"] = "health", ["world_religions"] = "philosophy",
    };

    private static readonly Dictionary<string, string> CategoryOfSubcategory = new()
    {
        ["physics"] = Stem, ["chemistry"] = Stem, ["biology"] = Stem, ["computer science"] = Stem, ["math"] = Stem, ["engineering"] = Stem,
        ["history"] = Humanities, ["philosophy"] = Humanities, ["law"] = Humanities,
        ["politics"] = SocialSciences, ["culture"] = SocialSciences, ["economics"] = SocialSciences, ["geography"] = SocialSciences, ["psychology"] = SocialSciences,
        ["other"] = Other, ["business"] = Other, ["health"] = Other,
    };

    public static IReadOnlyCollection<string> All => Subcategory.Keys;

    /// <summary>The default mapping, lm-evaluation-harness's; "hendrycks" is the original release's.</summary>
    public const string LmEvalMapping = "lm_eval", HendrycksMapping = "hendrycks";

    /// <summary>The category of a subject under a mapping; subjects outside the 57 are "other".</summary>
    public static string Category(string subject, string mapping = LmEvalMapping)
    {
        if (mapping is not (LmEvalMapping or HendrycksMapping))
            throw new ArgumentException($"unknown MMLU category mapping '{mapping}': use {LmEvalMapping} (lm-evaluation-harness) or {HendrycksMapping} (original release)");
        if (mapping == LmEvalMapping && subject == "anatomy") return Stem; // the one subject lm-eval files differently
        return Subcategory.TryGetValue(subject, out var sub) ? CategoryOfSubcategory[sub] : Other;
    }

    /// <summary>"high_school_us_history" → "high school us history", as the prompt's description uses it.</summary>
    public static string Display(string subject) => subject.Replace('_', ' ');
}
