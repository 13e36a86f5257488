using System.Reflection;
using System.Runtime.Loader;

namespace SmallLlm.Eval.Tasks;

/// <summary>
/// The tasks a run can use: every <c>*.task.json</c> under the tasks folder, each built by the <see cref="ITaskKind"/>
/// its "kind" names. Kinds are found by reflection in this assembly and in plugin assemblies (<c>*.dll</c> in the
/// plugins folder named by eval.config.json).
/// </summary>
public sealed class TaskRegistry
{
    private readonly Dictionary<string, TaskDefinition> _definitions;
    private readonly Dictionary<string, ITaskKind> _kinds;
    private readonly List<(string? Name, string Problem)> _broken;
    public string TasksDirectory { get; }

    private TaskRegistry(string tasksDirectory, Dictionary<string, TaskDefinition> definitions, Dictionary<string, ITaskKind> kinds, List<(string?, string)> broken)
    {
        TasksDirectory = tasksDirectory;
        _definitions = definitions;
        _kinds = kinds;
        _broken = broken;
    }

    /// <summary>Task files that could not be used (bad JSON, a wrong type, an unknown field), each naming its file and field.</summary>
    public IReadOnlyList<string> Problems => _broken.Select(b => b.Problem).ToList();

    public IReadOnlyCollection<TaskDefinition> Definitions => _definitions.Values.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
    public IReadOnlyCollection<string> Kinds => _kinds.Keys.Order(StringComparer.Ordinal).ToList();

    /// <param name="includeDirectories">More task folders added to <paramref name="tasksDirectory"/>'s tasks (<c>--include-tasks</c>, lm-eval's --include_path).</param>
    public static TaskRegistry Load(string tasksDirectory, string? pluginsDirectory = null, IReadOnlyList<string>? includeDirectories = null)
    {
        if (!Directory.Exists(tasksDirectory))
            throw new DirectoryNotFoundException($"tasks folder '{tasksDirectory}' not found: run from the repository (or pass --tasks-dir)");
        foreach (string extra in includeDirectories ?? [])
            if (!Directory.Exists(extra)) throw new DirectoryNotFoundException($"--include-tasks folder '{extra}' not found");
        var assemblies = new List<Assembly> { typeof(TaskRegistry).Assembly };
        if (pluginsDirectory is not null && Directory.Exists(pluginsDirectory))
            foreach (var dll in Directory.GetFiles(pluginsDirectory, "*.dll").Order(StringComparer.Ordinal))
            {
                try { assemblies.Add(AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.GetFullPath(dll))); }
                catch (BadImageFormatException) { throw new InvalidDataException($"{dll}: not a .NET assembly (plugins folder '{pluginsDirectory}')"); }
            }
        var kinds = new Dictionary<string, ITaskKind>();
        foreach (var type in assemblies.SelectMany(SafeTypes).Where(t => typeof(ITaskKind).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false }))
        {
            if (type.GetConstructor(Type.EmptyTypes) is null) continue;
            var kind = (ITaskKind)Activator.CreateInstance(type)!;
            kinds[kind.Kind] = kind;
        }
        // One bad task file is reported (by `tasks list`, and when that task is asked for); it never hides the others.
        var definitions = new Dictionary<string, TaskDefinition>();
        var broken = new List<(string?, string)>();
        var files = new[] { tasksDirectory }.Concat(includeDirectories ?? [])
            .SelectMany(dir => Directory.GetFiles(dir, "*.task.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        foreach (var file in files)
        {
            try
            {
                var def = TaskDefinition.Read(file);
                if (definitions.TryGetValue(def.Name, out var other))
                    throw new InvalidDataException($"{file}: task name '{def.Name}' is already defined by {other.FilePath}");
                if (kinds.TryGetValue(def.Kind, out var kind) && kind.Fields is { } fields) def.Validate(fields);
                definitions[def.Name] = def;
            }
            catch (InvalidDataException e) { broken.Add((NameIn(file), e.Message)); }
        }
        return new TaskRegistry(tasksDirectory, definitions, kinds, broken);
    }

    /// <summary>The "name" of a broken task file when it is readable, so asking for that task shows the file's problem.</summary>
    private static string? NameIn(string file)
    {
        try { return System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file))?["name"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out string? s) ? s : null; }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException) { return null; }
    }

    private static IEnumerable<Type> SafeTypes(Assembly a)
    {
        try { return a.GetTypes(); }
        catch (ReflectionTypeLoadException e) { return e.Types.Where(t => t is not null)!; }
    }

    public IEvalTask Create(string name)
    {
        if (!_definitions.TryGetValue(name, out var def))
        {
            if (_broken.FirstOrDefault(b => b.Name == name) is { Problem: { } problem }) throw new InvalidDataException(problem);
            throw new ArgumentException($"unknown task '{name}': known tasks are {string.Join(", ", _definitions.Keys.Order(StringComparer.Ordinal))}"
                + (_broken.Count > 0 ? $" ({_broken.Count} task file(s) could not be read: {_broken[0].Problem})" : ""));
        }
        if (!_kinds.TryGetValue(def.Kind, out var kind))
            throw new InvalidDataException($"{def.FilePath}: kind '{def.Kind}' is not known: known kinds are {string.Join(", ", Kinds)} (is its plugin in the plugins folder?)");
        return kind.Create(def);
    }

    /// <summary>Parses "a,b,c" into tasks, failing on the first unknown name with the list of known ones.</summary>
    public IReadOnlyList<IEvalTask> CreateAll(string commaSeparated) =>
        commaSeparated.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().Select(Create).ToList();
}
