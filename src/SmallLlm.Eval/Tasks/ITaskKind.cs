namespace SmallLlm.Eval.Tasks;

/// <summary>
/// A kind of task (a C# plugin): builds tasks from declarative definitions whose "kind" field names it. Built-in kinds
/// are found by reflection; external ones come from assemblies in the plugins folder.
/// </summary>
public interface ITaskKind
{
    string Kind { get; }
    IEvalTask Create(TaskDefinition definition);
}
