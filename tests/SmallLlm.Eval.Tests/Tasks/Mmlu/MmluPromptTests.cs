using SmallLlm.Eval.Tasks.Data;
using SmallLlm.Eval.Tasks.Mmlu;

namespace SmallLlm.Eval.Tests.Tasks.Mmlu;

/// <summary>The prompt must be lm-evaluation-harness's, character for character (template in ../shared/README.md).</summary>
public class MmluPromptTests
{
    [Fact]
    public void One_shot_prompt_on_real_data_matches_the_lm_eval_template()
    {
        var data = MmluDataset.Load(Path.Combine(RepoPaths.Tasks, "mmlu", "data"), new DataIssues(strict: true));
        var shot = data.Questions("dev", "high_school_us_history")[0];
        var q = data.Questions("test", "high_school_us_history")[0];
        string Text(MmluQuestion x) => $"{x.Question.Trim()}\nA. {x.Choices[0]}\nB. {x.Choices[1]}\nC. {x.Choices[2]}\nD. {x.Choices[3]}\nAnswer:";
        string expected = "The following are multiple choice questions (with answers) about high school us history.\n\n"
                          + Text(shot) + " " + "ABCD"[shot.Answer] + "\n\n" + Text(q);
        Assert.Equal(expected, MmluPrompt.Build("high_school_us_history", [shot], q));
        Assert.EndsWith("\nAnswer:", expected);
        Assert.Equal([" A", " B", " C", " D"], MmluPrompt.Continuations);
    }

    [Fact]
    public void Zero_shot_is_description_then_question_choices_are_not_stripped()
    {
        var q = new MmluQuestion("abstract_algebra", "test", 0, "  What is 1+1? \n", ["2 ", " 3", "4", "5"], 0, "x");
        Assert.Equal("The following are multiple choice questions (with answers) about abstract algebra.\n\nWhat is 1+1?\nA. 2 \nB.  3\nC. 4\nD. 5\nAnswer:",
            MmluPrompt.Build("abstract_algebra", [], q));
    }

    [Fact]
    public void The_bundled_data_is_the_full_mmlu_release()
    {
        var data = MmluDataset.Load(Path.Combine(RepoPaths.Tasks, "mmlu", "data"), new DataIssues(strict: true));
        Assert.Equal(57, data.Subjects("test").Count);
        Assert.Equal(14042, data.Subjects("test").Sum(s => data.Questions("test", s).Count));
        Assert.All(data.Subjects("dev"), s => Assert.Equal(5, data.Questions("dev", s).Count));
        Assert.All(data.Subjects("test"), s => Assert.Contains(MmluSubjects.Category(s), new[] { "stem", "humanities", "social_sciences", "other" }));
        Assert.Equal(19, data.Subjects("test").Count(s => MmluSubjects.Category(s) == MmluSubjects.Stem)); // lm-eval's mapping: anatomy is STEM
        Assert.Equal(18, data.Subjects("test").Count(s => MmluSubjects.Category(s, MmluSubjects.HendrycksMapping) == MmluSubjects.Stem));
    }
}
