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
    /// Reads the run's random marker from stdin and prints it on a line of its own only when the program returned
    /// normally: sys.exit, os._exit, an exception (whatever an excepthook or atexit handler does afterwards) or a closed
    /// stdout all leave it out, and only marker + exit status 0 pass. The marker is held by a thread of its own that the
    /// program's frames do not lead to; the program runs on the main thread through C calls that record each step that
    /// returned where no frame can see it; an audit hook, installed before any of its code runs, refuses the ways round:
    /// other threads' frames, gc walks, ctypes and similar modules, /proc, links, new audit hooks. Child processes cannot
    /// read this process's memory (not dumpable) or, where that does not hold, cannot be started. What remains possible
    /// is in docs/sandbox.md.
    /// </summary>
    public const string Runner = """
        import sys, os, _thread, collections, functools, operator, stat, gc, threading  # threading first here: its idea of the main thread


        def _smalleval_verdict(done, count, ready, finished, ended):
            # On a thread of its own, which the program's frames do not lead to: the marker is read here and never leaves.
            data = b''
            while not data.endswith(b'\n'):
                chunk = os.read(0, 256)
                if not chunk:
                    break
                data += chunk
            marker = data.strip()
            del data, chunk
            length, write, gc_disable = len, os.write, gc.disable
            ready.release()
            finished.acquire()
            gc_disable()  # no finalizer of the program's may run on this thread while the marker is here
            if length(done) == count:
                write(1, b'\n' + marker + b'\n')
            del marker
            ended.release()


        def _smalleval_main(box):
            # The program runs on this (main) thread through C calls only: deque.extend(map(call, steps)) appends one item per
            # step that returned, so `done` is complete only when the program returned normally and stdout was flushed. The
            # deque and the steps are reachable from nowhere the program can look (this frame is gone, the module frame holds
            # them only on its value stack); an audit hook refuses the ways round (other threads' frames, gc walks, ctypes,
            # /proc, links, new audit hooks).
            undumpable = _undumpable()
            with open('program.py', encoding='utf-8') as f:
                source = f.read()
            code = compile(source, 'program.py', 'exec')
            steps = [functools.partial(exec, code, {'__name__': '__main__', '__builtins__': __builtins__}), sys.stdout.flush]
            done = collections.deque()
            ready, finished, ended = _thread.allocate_lock(), _thread.allocate_lock(), _thread.allocate_lock()
            for lock in (ready, finished, ended):
                lock.acquire()
            _thread.stack_size(256 * 1024)  # the verdict thread needs little: the program keeps its address space
            verdict = _thread.start_new_thread(_smalleval_verdict, (done, len(steps), ready, finished, ended))
            _thread.stack_size(0)
            ready.acquire()
            sys.addaudithook(_audit_hook(verdict, undumpable))
            box.extend((done, map(operator.methodcaller('__call__'), steps)))
            return finished, ended


        def _undumpable():
            # This process's memory becomes unreadable to the programs it starts (/proc/PID/mem, ptrace) unless they have
            # CAP_SYS_PTRACE (root outside the sandbox); ctypes is then forgotten, so the program's own import is audited.
            try:
                import ctypes
                ok = ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0) == 0 and os.geteuid() != 0  # PR_SET_DUMPABLE 0
            except Exception:
                ok = False
            for name in [m for m in sys.modules if m == 'ctypes' or m.startswith('ctypes.') or m == '_ctypes']:
                del sys.modules[name]
            return ok


        def _audit_hook(verdict_thread, undumpable):
            refused_events = frozenset({
                'sys._current_frames', 'sys._current_exceptions', 'sys._settraceallthreads', 'sys._setprofileallthreads',
                'sys.monitoring.register_callback', 'sys.addaudithook', 'gc.get_objects', 'gc.get_referrers',
                'gc.get_referents', 'os.symlink', 'os.link', 'cpython.PyInterpreterState_New'})
            refused_modules = frozenset({'ctypes', '_ctypes', 'cffi', '_cffi_backend', '_testcapi', '_testinternalcapi',
                                         '_testmultiphase', '_xxsubinterpreters', '_xxinterpchannels', '_interpreters'})
            spawning = frozenset({'os.exec', 'os.posix_spawn', 'os.spawn', 'subprocess.Popen', 'os.system', 'pty.spawn'})
            # Everything the hook calls is captured now: the program may replace builtins and module attributes later.
            get_ident, getcwd, lstat, readlink, is_link = _thread.get_ident, os.getcwd, os.lstat, os.readlink, stat.S_ISLNK
            refusal, oserror, kind, text, binary, number = RuntimeError, OSError, type, str, bytes, int

            def resolve(path, depth):
                out = ''
                for part in path.split('/'):
                    if part in ('', '.'):
                        continue
                    if part == '..':
                        out = out.rsplit('/', 1)[0]
                        continue
                    step = out + '/' + part
                    try:
                        link = depth < 40 and is_link(lstat(step).st_mode)
                    except oserror:
                        link = False
                    if link:
                        target = readlink(step)
                        out = resolve(target if target.startswith('/') else out + '/' + target, depth + 1)
                    else:
                        out = step
                return out or '/'

            def hook(event, args):
                if get_ident() == verdict_thread:
                    raise refusal('smalleval sandbox: ' + event + ' on the verdict thread')
                if event in refused_events or event.startswith('ctypes.') or (not undumpable and event in spawning):
                    raise refusal('smalleval sandbox: ' + event + ' is refused (it could forge the verdict)')
                if event == 'import' and args[0].partition('.')[0] in refused_modules:
                    raise refusal('smalleval sandbox: importing ' + args[0] + ' is refused (it could forge the verdict)')
                if event == 'open' and kind(args[0]) is not number:
                    path = args[0].decode('utf-8', 'surrogateescape') if kind(args[0]) is binary else args[0]
                    parts = path.split('/') if kind(path) is text else ['proc']
                    where = resolve(path if path.startswith('/') else getcwd() + '/' + path, 0) if kind(path) is text else '/proc'
                    if 'proc' in parts or (not path.startswith('/') and '..' in parts) or where == '/proc' or where.startswith('/proc/'):
                        raise refusal('smalleval sandbox: opening ' + text(path) + ' is refused (/proc could forge the verdict)')
            return hook


        _box = []
        _finished, _ended = _smalleval_main(_box)
        try:
            _box.pop(0).extend(_box.pop())
        finally:
            _finished.release()
            _ended.acquire()
        """;
}
