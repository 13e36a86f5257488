namespace SmallLlm.Eval.Tasks.Code;

/// <summary>The two scripts of a sandboxed run: the shell script that builds the isolated file system inside fresh
/// user, mount, network, PID, IPC and UTS namespaces, and the Python runner that gives the verdict marker.</summary>
internal static class SandboxScripts
{
    /// <summary>
    /// Runs as root of a new user namespace (which is the invoking user, or an unprivileged uid of its own when
    /// smalleval runs as root). $1 is a host folder holding program.py, runner.py and an empty root/; $2 the process
    /// limit; $3 the per-process address-space limit in bytes; $4 the file-size limit in bytes; $5 the tmpfs size in
    /// MiB; $6 the Python to run; $0 a label for the process list; the rest are extra folders to show read-only (a Python installed outside /usr).
    /// The new root is a tmpfs with read-only binds of the system folders, a minimal /dev, a fresh /proc of the new
    /// PID namespace and a private /tmp; the old root is unmounted, so the results, cache, model and home folders are
    /// not there at all. The program then runs in a nested user namespace without capabilities, as pid 1 of the PID
    /// namespace (every other process dies with it) and in a session of its own.
    /// </summary>
    public const string Setup = """
        set -e
        host="$1"; nproc="$2"; as="$3"; fsize="$4"; tmpmb="$5"; python="$6"; shift 6
        cd "$host/root"
        mount -t tmpfs -o size=1m,mode=755 tmpfs .
        cd "$host/root"
        for d in usr bin sbin lib lib32 lib64 libx32 etc; do
          if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$d"
          elif [ -d "/$d" ]; then mkdir "$d"; mount --rbind "/$d" "$d"; fi
        done
        for d in "$@"; do
          if [ -d "$d" ] && [ ! -e ".$d" ]; then mkdir -p ".$d"; mount --rbind "$d" ".$d"; fi
        done
        # Every bound mount read-only, including those nested in them (a container's /etc/hosts, say).
        root="$(pwd)"
        while read -r _ point _; do
          case "$point" in "$root"/*) mount -o remount,bind,ro "$point" ;; esac
        done < /proc/self/mounts
        mkdir dev proc tmp
        for f in null zero random urandom full; do touch "dev/$f"; mount --bind "/dev/$f" "dev/$f"; done
        mount -t proc proc proc
        mount -t tmpfs -o "size=${tmpmb}m,mode=1777" tmpfs tmp
        mkdir tmp/run
        cp "$host/program.py" "$host/runner.py" tmp/run/
        mkdir .old
        pivot_root . .old
        cd /
        umount -l /.old
        rmdir /.old
        mount -o remount,bind,ro /
        cd /tmp/run
        export HOME=/tmp/run TMPDIR=/tmp
        exec setsid unshare --user -- prlimit "--nproc=$nproc" "--as=$as" "--fsize=$fsize" --core=0 -- "$python" -I -B runner.py "$0"
        """;

    /// <summary>
    /// Reads the run's random marker from stdin, runs program.py as __main__ and prints the marker on a line of its
    /// own only when the program returned normally: sys.exit, os._exit, an exception (whatever an excepthook or
    /// atexit handler does afterwards) or a closed stdout all leave it out, and only marker + exit status 0 pass.
    /// The marker is not in any file the program can read; code that searches the interpreter's own memory for it
    /// is out of reach of any in-process check (human-eval's included).
    /// </summary>
    public const string Runner = """
        import sys
        def _smalleval_run():
            marker = sys.stdin.readline().strip()
            with open('program.py', encoding='utf-8') as f:
                source = f.read()
            exec(compile(source, 'program.py', 'exec'), {'__name__': '__main__', '__builtins__': __builtins__})
            sys.stdout.flush()
            sys.stdout.write('\n' + marker + '\n')
            sys.stdout.flush()
        _smalleval_run()
        """;
}
