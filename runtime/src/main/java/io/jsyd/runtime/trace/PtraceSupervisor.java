package io.jsyd.runtime.trace;

import static io.jsyd.runtime.linux.LinuxConstants.AT_EMPTY_PATH;
import static io.jsyd.runtime.linux.LinuxConstants.AT_FDCWD;
import static io.jsyd.runtime.linux.LinuxConstants.MAP_ANONYMOUS;
import static io.jsyd.runtime.linux.LinuxConstants.PROT_EXEC;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_EVENT_CLONE;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_EVENT_EXEC;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_EVENT_EXIT;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_EVENT_FORK;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_EVENT_SECCOMP;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_EVENT_STOP;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_EVENT_VFORK;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_O_EXITKILL;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_O_TRACECLONE;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_O_TRACEEXEC;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_O_TRACEEXIT;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_O_TRACEFORK;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_O_TRACESECCOMP;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_O_TRACESYSGOOD;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_O_TRACEVFORK;
import static io.jsyd.runtime.linux.LinuxConstants.SIGKILL;
import static io.jsyd.runtime.linux.LinuxConstants.SIGSTOP;
import static io.jsyd.runtime.linux.LinuxConstants.SIGTRAP;
import static io.jsyd.runtime.linux.LinuxConstants.SIGTSTP;
import static io.jsyd.runtime.linux.LinuxConstants.SIGTTIN;
import static io.jsyd.runtime.linux.LinuxConstants.SIGTTOU;
import static io.jsyd.runtime.linux.LinuxConstants.__WALL;
import static io.jsyd.runtime.linux.LinuxConstants.__WNOTHREAD;

import com.sun.jna.Native;
import io.jsyd.runtime.SyscallException;
import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.policy.Action;
import io.jsyd.runtime.policy.Policy;
import io.jsyd.runtime.policy.ResourceLimits;
import io.jsyd.runtime.policy.TraceCategory;
import io.jsyd.runtime.policy.TracePolicy;
import io.jsyd.runtime.seccomp.Libseccomp;
import io.jsyd.runtime.supervisor.DecisionLog;
import io.jsyd.runtime.supervisor.SupervisionComponent;
import io.jsyd.runtime.trace.TraceSyscalls.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The ptrace layer of one container (seeds 001, 003, 004): one platform thread
 * seizes the init and then follows every process and thread of the container
 * (ptrace relations belong to the thread that made them, so this thread alone
 * waits for and resumes its tracees). The init's filter sends only the syscalls a
 * check needs here (SECCOMP_RET_TRACE, {@link TraceSyscalls}); exec, fork, clone
 * and exit events come from the ptrace options.
 *
 * <p>A refused call is skipped with the check's errno (EACCES, ENOMEM, EAGAIN); the
 * stop, kill and exit actions also stop or kill the caller or end the container.
 * At the exec event the new image is checked again (the file may have changed
 * since the entry check, or the entry stop may have gone to a stricter filter): a
 * refusal there kills, the exec having happened. Every decision that is not a
 * silent allow is a line in the decision log.
 *
 * <p>The tracer reaps what it traces, the init included: its status comes from
 * {@link #initExit()}, not from waitpid (which would race with this thread). If the
 * thread ends (close, failure) its tracees are killed (PTRACE_O_EXITKILL).
 */
public final class PtraceSupervisor implements SupervisionComponent {
    static final long OPTIONS = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE
            | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL;
    private static final int SYSCALL_STOP = (int) SIGTRAP | 0x80;

    /** A task the tracer follows. */
    private static final class Task {
        /** The file its last exec was allowed for at the entry stop. */
        Tracee.FileId checkedExec;
        /** A fork the pid limit allowed, counted until its syscall exit. */
        boolean pendingFork;
    }

    private final int initPid;
    private final TracePolicy policy;
    private final ResourceLimits limits;
    private final DecisionLog log;
    private final Runnable endContainer;
    /** The kind of each syscall number a stop can report (null: none), indexed by the number. */
    private final Kind[] kinds;
    private final Map<Integer, Task> tasks = new ConcurrentHashMap<>();
    private final CompletableFuture<Processes.WaitStatus> initExit = new CompletableFuture<>();
    private final CompletableFuture<Void> seized = new CompletableFuture<>();
    private final Ptrace ptrace = new Ptrace();
    private final Tracee tracee = new Tracee();
    private final Thread thread;
    private long trustedUid;

    private PtraceSupervisor(int initPid, Policy policy, DecisionLog log, Runnable endContainer, String name) {
        this.initPid = initPid;
        this.policy = policy.trace();
        this.limits = policy.limits();
        this.log = log;
        this.endContainer = endContainer;
        this.kinds = byNumber(TraceSyscalls.byNumber(Libseccomp.get()));
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this::run);
    }

    /**
     * Seizes {@code initPid} (waiting at its {@code TRACE} sync point, before it loads
     * the tracer's filter) on a new thread and returns once it is seized.
     *
     * @param endContainer what the exit action does (kills the init)
     * @throws SyscallException when the seize fails (the launch must then be aborted)
     */
    public static PtraceSupervisor start(int initPid, Policy policy, DecisionLog log, Runnable endContainer,
                                         String name) {
        if (!Ptrace.supported()) {
            throw new UnsupportedOperationException("the ptrace layer knows the registers of x86_64 only");
        }
        PtraceSupervisor s = new PtraceSupervisor(initPid, policy, log, endContainer, name);
        s.thread.start();
        try {
            s.seized.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while seizing pid " + initPid, e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
        return s;
    }

    /** The init's end as the tracer reaped it (128+N when signal N killed it), or the failure of the tracer. */
    public CompletableFuture<Processes.WaitStatus> initExit() {
        return initExit;
    }

    /**
     * Whether this tracer follows {@code pid} now: its stops and its exit are this
     * thread's to wait for, so a host that reaps its other children leaves them alone.
     */
    public boolean traces(int pid) {
        return thread.isAlive() && tasks.containsKey(pid);
    }

    private void run() {
        try {
            trustedUid = ((Number) Files.getAttribute(Tracee.root(initPid), "unix:uid")).longValue();
            Ptrace.seize(initPid, OPTIONS);
            tasks.put(initPid, new Task());
        } catch (RuntimeException | IOException e) {
            seized.completeExceptionally(e instanceof IOException io ? new UncheckedIOException(io) : e);
            return;
        }
        seized.complete(null);
        try {
            loop();
        } catch (RuntimeException | Error e) {
            // this thread ends: EXITKILL kills every tracee, the init's status is then the launcher's to reap
            initExit.completeExceptionally(e);
            throw e;
        }
        if (!initExit.isDone()) {
            initExit.completeExceptionally(new IllegalStateException("the tracer lost pid " + initPid));
        }
    }

    private static Kind[] byNumber(Map<Integer, Kind> kinds) {
        Kind[] a = new Kind[kinds.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1];
        kinds.forEach((nr, kind) -> a[nr] = kind);
        return a;
    }

    private void loop() {
        while (step()) {
            // one stop or exit per step
        }
    }

    /**
     * Waits for and handles one stop or exit; false when no tracee is left. Its own
     * method, not the loop's body: the JIT compiles a method once it has been called
     * often, but a loop only after very many turns (on-stack replacement), so a
     * loop body would run interpreted through a short-lived container's whole life.
     */
    private boolean step() {
        int pid = ptrace.waitpid(-1, (int) (__WALL | __WNOTHREAD));
        if (pid == -1) {
            int errno = Native.getLastError();
            if (errno == Errno.EINTR.number()) {
                return true;
            }
            if (errno == Errno.ECHILD.number()) {
                return false;
            }
            throw new SyscallException("waitpid", errno, "tracees of pid " + initPid);
        }
        int s = ptrace.lastStatus();
        if ((s & 0xff) != 0x7f) {
            ended(pid, s);
            return true;
        }
        try {
            stopped(pid, (s >> 8) & 0xff, (s >> 16) & 0xff);
        } catch (SyscallException e) {
            if (!Ptrace.gone(e)) {
                throw e;
            }
        }
        return true;
    }

    private void ended(int pid, int s) {
        tasks.remove(pid);
        if (pid == initPid) {
            boolean exited = (s & 0x7f) == 0;
            initExit.complete(new Processes.WaitStatus(pid, exited, exited ? (s >> 8) & 0xff : s & 0x7f));
        }
    }

    private void stopped(int pid, int sig, int event) {
        // a plain get first: nearly every stop is of a task already known, and get takes no lock
        Task task = tasks.get(pid);
        if (task == null) {
            task = tasks.computeIfAbsent(pid, p -> new Task());
        }
        if (event == PTRACE_EVENT_SECCOMP) {
            seccomp(pid, task);
        } else if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK || event == PTRACE_EVENT_CLONE) {
            tasks.computeIfAbsent((int) ptrace.eventMessage(pid), p -> new Task());
            // the child counts from now on; PTRACE_CONT also drops the syscall-exit stop asked for
            task.pendingFork = false;
            Ptrace.cont(pid, 0);
        } else if (event == PTRACE_EVENT_EXEC) {
            exec(pid, task);
        } else if (event == PTRACE_EVENT_EXIT) {
            Ptrace.cont(pid, 0);
        } else if (event == PTRACE_EVENT_STOP) {
            if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
                // a group stop: stay stopped, as untraced, until SIGCONT
                Ptrace.listen(pid);
            } else {
                Ptrace.cont(pid, 0);
            }
        } else if (sig == SYSCALL_STOP) {
            task.pendingFork = false;
            Ptrace.cont(pid, 0);
        } else {
            // a signal on its way: deliver it
            Ptrace.cont(pid, sig);
        }
    }

    private void seccomp(int pid, Task task) {
        Ptrace.SeccompStop stop = ptrace.seccompStop(pid);
        Kind kind = stop.nr() >= 0 && stop.nr() < kinds.length ? kinds[stop.nr()] : null;
        if (kind == null) {
            Ptrace.cont(pid, 0);
            return;
        }
        long[] a = stop.args();
        Optional<Refusal> r;
        String subject = null;
        boolean fork = false;
        try {
            switch (kind) {
                case EXECVE, EXECVEAT -> {
                    boolean at = kind == Kind.EXECVEAT;
                    String raw = tracee.string(pid, at ? a[1] : a[0]);
                    subject = raw;
                    r = execEntry(pid, task, at ? (int) a[0] : (int) AT_FDCWD, raw, at ? a[4] : 0);
                }
                case MMAP -> {
                    r = TraceChecks.mmap(policy, a[2], a[3]);
                    boolean file = (a[2] & PROT_EXEC) != 0 && (a[3] & MAP_ANONYMOUS) == 0;
                    if (r.isEmpty() && file && (policy.checksExec() || policy.isOn(TraceCategory.MEMORY))) {
                        r = executableFile(pid, (int) a[4]);
                        subject = r.isPresent() ? mappedPath : null;
                    }
                    if (r.isEmpty()) {
                        r = memory(pid, a[1]);
                    }
                }
                case MPROTECT, PKEY_MPROTECT -> {
                    r = TraceChecks.mprotect(policy, a[2],
                            (a[2] & PROT_EXEC) != 0 ? tracee.mappingAt(pid, a[0]) : Optional.empty());
                }
                case BRK -> {
                    long end = heapEnd(pid);
                    r = memory(pid, a[0] == 0 || end == 0 ? 0 : a[0] - end);
                }
                case MREMAP -> {
                    r = memory(pid, a[2] - a[1]);
                }
                case FORK, VFORK, CLONE, CLONE3 -> {
                    int count = tasks.size() + (int) tasks.values().stream().filter(t -> t.pendingFork).count();
                    r = TraceChecks.tasks(policy, limits, count);
                    fork = true;
                }
                default -> throw new IllegalStateException("no check for " + kind);
            }
        } catch (IOException e) {
            // the process's /proc entries are gone or unreadable: refuse, never guess
            r = Optional.of(new Refusal(categoryOf(kind), Action.DENY, Errno.EACCES.number(),
                    "cannot read the process: " + e.getMessage(), "(ptrace layer)"));
        }
        if (r.isPresent() && r.get().action().logged()) {
            Refusal x = r.get();
            if (subject == null) {
                subject = arguments(kind, a);
            }
            log.record(pid, kind.syscall(), x.category().spelling(), x.action().spelling(), x.rule(), x.reason(),
                    x.category() == TraceCategory.TPE || x.category() == TraceCategory.FORCE
                            || x.category() == TraceCategory.STACK || kind == Kind.MMAP && subject != null
                            ? "path" : "args", subject);
        }
        if (r.isEmpty() || r.get().action().permits()) {
            if (fork) {
                task.pendingFork = true;
                Ptrace.toSyscallExit(pid);
            } else {
                Ptrace.cont(pid, 0);
            }
            return;
        }
        Ptrace.skip(pid, r.get().errno());
        act(pid, r.get().action());
        Ptrace.cont(pid, 0);
    }

    /** The arguments a log line shows (made only for a line: formatting costs more than the check). */
    private static String arguments(Kind kind, long[] a) {
        return switch (kind) {
            case MMAP -> String.format("prot=0x%x flags=0x%x len=%d", a[2], a[3], a[1]);
            case MPROTECT, PKEY_MPROTECT -> String.format("addr=0x%x len=%d prot=0x%x", a[0], a[1], a[2]);
            case BRK -> String.format("brk=0x%x", a[0]);
            case MREMAP -> String.format("old=%d new=%d", a[1], a[2]);
            default -> kind.syscall();
        };
    }

    private void act(int pid, Action action) {
        switch (action) {
            case STOP -> Ptrace.signal(pid, (int) SIGSTOP);
            case KILL -> Ptrace.signal(pid, (int) SIGKILL);
            case EXIT -> endContainer.run();
            default -> {
            }
        }
    }

    private static TraceCategory categoryOf(Kind kind) {
        return switch (kind) {
            case EXECVE, EXECVEAT -> TraceCategory.TPE;
            case MMAP, MPROTECT, PKEY_MPROTECT -> TraceCategory.MEMORY;
            case BRK, MREMAP -> TraceCategory.MEM;
            case FORK, VFORK, CLONE, CLONE3 -> TraceCategory.PID;
        };
    }

    private Optional<Refusal> memory(int pid, long adds) throws IOException {
        if (!policy.isOn(TraceCategory.MEM) || adds <= 0) {
            return Optional.empty();
        }
        long pss = limits.memMax().isPresent() ? tracee.pss(pid) : 0;
        long vm = limits.vmMax().isPresent() ? tracee.vmSize(pid) : 0;
        return TraceChecks.memory(policy, limits, pss, vm, adds);
    }

    private long heapEnd(int pid) throws IOException {
        return tracee.maps(pid).stream().filter(m -> m.path().equals("[heap]")).mapToLong(Mapping::end).max()
                .orElse(0);
    }

    private Optional<Refusal> execEntry(int pid, Task task, int dirfd, String raw, long flags) throws IOException {
        task.checkedExec = null;
        if (!policy.checksExec()) {
            return Optional.empty();
        }
        String base;
        String path = raw;
        if (raw.startsWith("/")) {
            base = "/";
        } else if (dirfd == (int) AT_FDCWD) {
            base = tracee.cwd(pid);
        } else {
            base = tracee.fdPath(pid, dirfd);
            if (raw.isEmpty() && (flags & AT_EMPTY_PATH) != 0) {
                path = base;
            }
        }
        Optional<String> canonical = tracee.canonical(pid, base, path);
        if (canonical.isEmpty()) {
            // nothing there: exec fails by itself
            return Optional.empty();
        }
        Tracee.Stat attrs = tracee.statInRoot(pid, canonical.get());
        if (!attrs.regular()) {
            return Optional.empty();
        }
        ExecImage image = tracee.imageInRoot(pid, canonical.get(), trustedUid, callerUid(pid),
                policy.isOn(TraceCategory.FORCE));
        Optional<Refusal> r = TraceChecks.exec(policy, image);
        if (r.isEmpty() || r.get().action().permits()) {
            task.checkedExec = attrs.key();
        }
        return r;
    }

    /** The caller's uid, read only when the policy trusts the caller's own directories. */
    private long callerUid(int pid) throws IOException {
        return policy.tpeUserOwned() ? tracee.uid(pid) : -1;
    }

    /** The path of the last file {@link #executableFile} looked at, for its log line. */
    private String mappedPath;

    /**
     * A file mapped executable: W^X refuses one the process may write through that
     * fd (code it can change after the check, memfd included); then the exec checks.
     * An fd that is not open is refused with EBADF, as mmap would be, without a log
     * line: checking later would let another thread put a file there unchecked.
     */
    private Optional<Refusal> executableFile(int pid, int fd) throws IOException {
        try {
            mappedPath = tracee.fdPath(pid, fd);
        } catch (java.nio.file.NoSuchFileException e) {
            mappedPath = "fd " + fd;
            return Optional.of(new Refusal(TraceCategory.MEMORY, Action.FILTER, Errno.EBADF.number(),
                    "no such fd", "(ptrace layer)"));
        }
        if (policy.isOn(TraceCategory.MEMORY)) {
            Optional<Refusal> w = TraceChecks.mappedFd(policy, tracee.fdFlags(pid, fd));
            if (w.isPresent()) {
                return w;
            }
        }
        return policy.checksExec() ? mappedFile(pid, fd, mappedPath) : Optional.empty();
    }

    /**
     * The exec checks of a file mapped executable (a library ld.so loads, or
     * dlopen): the same trusted path, stack and checksum rules as exec, as Syd's
     * mmap handler applies them. The file is read through the mapping's fd.
     */
    private Optional<Refusal> mappedFile(int pid, int fd, String path) throws IOException {
        return TraceChecks.exec(policy, tracee.imageOfFd(pid, fd, path, trustedUid, callerUid(pid),
                policy.isOn(TraceCategory.FORCE)));
    }

    /** The new image after exec: checked again unless the entry stop allowed this very file. */
    private void exec(int pid, Task task) {
        int former = (int) ptrace.eventMessage(pid);
        Task before = former == pid ? task : tasks.remove(former);
        Tracee.FileId checked = before == null ? null : before.checkedExec;
        task.checkedExec = null;
        Optional<Refusal> r = Optional.empty();
        String subject = null;
        try {
            subject = tracee.exe(pid);
            if (policy.checksExec() && (checked == null || !checked.same(tracee.stat(pid, Tracee.EXE)))) {
                int slash = subject.startsWith("/") ? subject.lastIndexOf('/') : -1;
                String dir = HostPaths.under(Tracee.rootPath(pid), slash > 0 ? subject.substring(1, slash) : "");
                r = TraceChecks.exec(policy, tracee.image("/proc/" + pid + "/exe", subject, dir, trustedUid,
                        callerUid(pid), policy.isOn(TraceCategory.FORCE)));
            }
            if (r.isEmpty() && policy.isOn(TraceCategory.STACK)
                    && tracee.executableStack(pid)) {
                r = Optional.of(new Refusal(TraceCategory.STACK, Action.KILL, Errno.EACCES.number(),
                        "executable stack after exec", "trace/allow_unsafe_stack:0"));
            }
        } catch (IOException e) {
            r = Optional.of(new Refusal(TraceCategory.TPE, Action.KILL, Errno.EACCES.number(),
                    "cannot read the new image: " + e.getMessage(), "(ptrace layer)"));
        }
        if (r.isPresent()) {
            Refusal x = r.get();
            // the exec happened: a refusal can only end the process
            Action action = x.action().permits() ? x.action() : Action.KILL;
            if (x.action().logged() || action == Action.KILL) {
                log.record(pid, "execve (after)", x.category().spelling(), action.spelling(), x.rule(), x.reason(),
                        "path", subject);
            }
            if (!action.permits()) {
                Ptrace.signal(pid, (int) SIGKILL);
                if (x.action() == Action.EXIT) {
                    endContainer.run();
                }
            }
        }
        Ptrace.cont(pid, 0);
    }

    @Override
    public void close() {
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
            if (thread.isAlive()) {
                // tracees outlived the container's end: kill them, never leave them unsupervised
                for (int pid : tasks.keySet()) {
                    Ptrace.signal(pid, (int) SIGKILL);
                }
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
