using GitOps.Reconciler.Rollouts.Analysis.Expressions;

namespace GitOps.Reconciler.Tests.Rollouts;

/// <summary>Argo Rollouts' successCondition/failureCondition subset (expr-lang), evaluated against a measurement's result.</summary>
public sealed class ExpressionTests
{
    private static readonly IReadOnlyList<object?> Vector = new List<object?> { 0.97, 120.0 };
    private static readonly IReadOnlyDictionary<string, object?> Json = new Dictionary<string, object?>
    {
        ["status"] = "ok",
        ["checks"] = new List<object?> { "db", "cache" },
        ["ratio"] = 0.5,
    };

    public static TheoryData<string, object?, bool> Cases => new()
    {
        { "result >= 0.95", 0.97, true },
        { "result >= 0.95", 0.9, false },
        { "result[0] >= 0.95", Vector, true },
        { "result[0] >= 0.95 && result[1] < 100", Vector, false },
        { "result[0] >= 0.95 || result[1] < 100", Vector, true },
        { "!(result[1] > 100)", Vector, false },
        { "len(result) == 0", new List<object?>(), true },
        { "len(result) == 2 and result[1] == 120", Vector, true },
        { "isNaN(result)", double.NaN, true },
        { "isNaN(result) || result > 0.99", 0.995, true },
        { "result == 'It worked!'", "It worked!", true },
        { "result == \"ok\"", "ko", false },
        { "result.status == 'ok' && result.ratio < 1", Json, true },
        { "'cache' in result.checks", Json, true },
        { "result in [200, 201]", 201.0, true },
        { "result != nil", null, false },
        { "asInt(result) == 5", "5", true },
        { "result * 100 >= 95", 0.95, true },
        { "result startsWith 'v1.'", "v1.2.3", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluates_like_Argo(string expression, object? result, bool expected) =>
        Assert.Equal(expected, Condition.Evaluate(expression, result));

    [Theory]
    [InlineData("result >=")]
    [InlineData("result[0 >= 1")]
    [InlineData("result >>> 1")]
    [InlineData("'unterminated")]
    public void Syntax_errors_are_found_without_a_result(string expression)
    {
        Assert.NotNull(Condition.Check(expression));
        Assert.Throws<ExpressionException>(() => Condition.Evaluate(expression, 1.0));
    }

    [Fact]
    public void A_condition_must_answer_a_bool()
    {
        var e = Assert.Throws<ExpressionException>(() => Condition.Evaluate("result", 0.5));
        Assert.Contains("expected bool", e.Message);
    }

    [Fact]
    public void Type_errors_and_out_of_range_indexes_are_errors_not_answers()
    {
        Assert.Throws<ExpressionException>(() => Condition.Evaluate("result[5] > 1", Vector));
        Assert.Throws<ExpressionException>(() => Condition.Evaluate("result > 'a'", 1.0));
    }
}
