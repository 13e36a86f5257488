namespace SmallLlm.Eval.Tasks;

/// <summary>
/// A kind of task (a C# plugin): builds tasks from declarative definitions whose "kind" field names it. Built-in kinds
/// are found by reflection; external ones come from assemblies in the plugins folder.
/// </summary>
public interface ITaskKind
{
    string Kind { get; }
    IEvalTask Create(TaskDefinition definition);

    /// <summary>
    /// The kind's own task-file fields and their types (besides <see cref="TaskDefinition.CommonFields"/>): any other
    /// field is an error. Null (the default, for plugins that say nothing) accepts any field.
    /// </summary>
    IReadOnlyDictionary<string, TaskFieldType>? Fields => null;
}
