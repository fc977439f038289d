package io.jsyd.runtime.supervisor;

import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.policy.Category;
import io.jsyd.runtime.policy.Policy;
import io.jsyd.runtime.seccomp.ArgCondition;
import io.jsyd.runtime.seccomp.ArgOperator;
import io.jsyd.runtime.seccomp.Libseccomp;
import io.jsyd.runtime.seccomp.SeccompAction;
import io.jsyd.runtime.seccomp.SeccompProgram;
import io.jsyd.runtime.seccomp.SyscallRule;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Which syscalls the supervisor answers, by category, and where each keeps the
 * names it acts on. A syscall is sent to the supervisor only when one of its
 * categories is confined, so a policy that confines exec alone costs nothing on
 * open.
 */
public final class SupervisedSyscalls {
    /** How a syscall names what it acts on. */
    public sealed interface Shape {
        /** A path (with its dirfd argument, or -1 for the cwd) checked in one category. */
        record PathArg(int dirfd, int path, Category category) implements Shape {
        }

        /** open, openat, openat2, creat: the categories follow from the flags. */
        record Open(int dirfd, int path, int flags, boolean howStruct, boolean creat) implements Shape {
        }

        /** Two names: rename, link, symlink (the first may be absent: symlink's target is only text). */
        record Pair(Shape.PathArg first, Shape.PathArg second) implements Shape {
        }

        /** A socket address argument (pointer, length) checked in one network category. */
        record Address(int pointer, int length, Category category) implements Shape {
        }

        /**
         * sendmsg's struct msghdr (argument {@code header}, the socket argument 0),
         * or with {@code vector} sendmmsg's array of struct mmsghdr (its length the
         * next argument): each message's msg_name, when it has one, checked in
         * net/connect, and the socket it goes to in net/sendfd when it passes fds.
         */
        record Messages(int header, boolean vector) implements Shape {
        }
    }

    /** One supervised syscall. */
    public record Entry(String name, Set<Category> categories, Shape shape) {
    }

    /**
     * A syscall that would get around the supervisor, refused by the filter
     * itself (no notification, no log line) with {@code errno} while any of
     * {@code categories} is on.
     */
    public record Refusal(String name, int errno, Set<Category> categories, String why) {
    }

    private static final Set<Category> PATHS = EnumSet.of(Category.READ, Category.WRITE, Category.EXEC,
            Category.STAT, Category.CREATE);
    private static final Set<Category> ANY = EnumSet.of(Category.READ, Category.WRITE, Category.EXEC,
            Category.STAT, Category.CREATE, Category.NET_BIND, Category.NET_CONNECT);

    private static final List<Refusal> REFUSED = List.of(
            // ENOSYS: what a kernel without io_uring says; programs fall back to plain syscalls
            new Refusal("io_uring_setup", Errno.ENOSYS.number(), ANY,
                    "io_uring's openat, statx, connect ... run in the kernel without passing seccomp"),
            new Refusal("io_uring_enter", Errno.ENOSYS.number(), ANY, "as io_uring_setup (a ring made elsewhere)"),
            new Refusal("io_uring_register", Errno.ENOSYS.number(), ANY, "as io_uring_setup"),
            new Refusal("open_by_handle_at", Errno.EPERM.number(), PATHS,
                    "opens a file by its handle, with no path to check"),
            new Refusal("name_to_handle_at", Errno.EPERM.number(), PATHS,
                    "makes the handles open_by_handle_at takes (and tells inode numbers of paths not checked)"),
            new Refusal("ptrace", Errno.EPERM.number(), ANY,
                    "a tracer rewrites a supervised process's registers and memory around its syscalls"),
            new Refusal("process_vm_writev", Errno.EPERM.number(), ANY,
                    "rewrites another supervised process's memory (a path between check and use)"),
            new Refusal("process_vm_readv", Errno.EPERM.number(), ANY,
                    "refused with its writing twin: reading another process's memory is a tracer's right"));

    private static final List<Entry> TABLE = table();

    private SupervisedSyscalls() {
    }

    private static List<Entry> table() {
        List<Entry> t = new ArrayList<>();
        Set<Category> open = EnumSet.of(Category.READ, Category.WRITE, Category.CREATE);
        t.add(new Entry("open", open, new Shape.Open(-1, 0, 1, false, false)));
        t.add(new Entry("openat", open, new Shape.Open(0, 1, 2, false, false)));
        t.add(new Entry("openat2", open, new Shape.Open(0, 1, 2, true, false)));
        t.add(new Entry("creat", EnumSet.of(Category.WRITE, Category.CREATE), new Shape.Open(-1, 0, 1, false, true)));
        for (String s : List.of("stat", "lstat", "access", "readlink")) {
            t.add(path(s, -1, 0, Category.STAT));
        }
        for (String s : List.of("newfstatat", "statx", "faccessat", "faccessat2", "readlinkat")) {
            t.add(path(s, 0, 1, Category.STAT));
        }
        t.add(path("execve", -1, 0, Category.EXEC));
        t.add(path("execveat", 0, 1, Category.EXEC));
        t.add(path("mkdir", -1, 0, Category.CREATE));
        t.add(path("mkdirat", 0, 1, Category.CREATE));
        t.add(path("mknod", -1, 0, Category.CREATE));
        t.add(path("mknodat", 0, 1, Category.CREATE));
        for (String s : List.of("unlink", "rmdir", "truncate", "chmod", "chown", "lchown")) {
            t.add(path(s, -1, 0, Category.WRITE));
        }
        for (String s : List.of("unlinkat", "fchmodat", "fchownat")) {
            t.add(path(s, 0, 1, Category.WRITE));
        }
        Set<Category> rename = EnumSet.of(Category.WRITE, Category.CREATE);
        t.add(new Entry("rename", rename, new Shape.Pair(new Shape.PathArg(-1, 0, Category.WRITE),
                new Shape.PathArg(-1, 1, Category.CREATE))));
        for (String s : List.of("renameat", "renameat2")) {
            t.add(new Entry(s, rename, new Shape.Pair(new Shape.PathArg(0, 1, Category.WRITE),
                    new Shape.PathArg(2, 3, Category.CREATE))));
        }
        t.add(new Entry("link", rename, new Shape.Pair(new Shape.PathArg(-1, 0, Category.WRITE),
                new Shape.PathArg(-1, 1, Category.CREATE))));
        t.add(new Entry("linkat", rename, new Shape.Pair(new Shape.PathArg(0, 1, Category.WRITE),
                new Shape.PathArg(2, 3, Category.CREATE))));
        t.add(path("symlink", -1, 1, Category.CREATE));
        t.add(path("symlinkat", 1, 2, Category.CREATE));
        t.add(new Entry("connect", EnumSet.of(Category.NET_CONNECT), new Shape.Address(1, 2, Category.NET_CONNECT)));
        t.add(new Entry("bind", EnumSet.of(Category.NET_BIND), new Shape.Address(1, 2, Category.NET_BIND)));
        t.add(new Entry("sendto", EnumSet.of(Category.NET_CONNECT), new Shape.Address(4, 5, Category.NET_CONNECT)));
        // every sendmsg is notified, connected socket or not: the address and the fds passed are behind pointers
        // the filter cannot follow
        Set<Category> send = EnumSet.of(Category.NET_CONNECT, Category.NET_SENDFD);
        t.add(new Entry("sendmsg", send, new Shape.Messages(1, false)));
        t.add(new Entry("sendmmsg", send, new Shape.Messages(1, true)));
        return List.copyOf(t);
    }

    private static Entry path(String name, int dirfd, int path, Category c) {
        return new Entry(name, EnumSet.of(c), new Shape.PathArg(dirfd, path, c));
    }

    /** The syscalls the filter refuses outright under {@code policy}: those that would get around it. */
    public static List<Refusal> refusals(Policy policy) {
        return REFUSED.stream().filter(r -> r.categories().stream().anyMatch(policy::isSandboxed)).toList();
    }

    /** Every refusal there is, whatever the policy. */
    public static List<Refusal> allRefusals() {
        return REFUSED;
    }

    /** Every syscall the supervisor knows, whether or not a policy confines it. */
    public static List<Entry> all() {
        return TABLE;
    }

    /** The syscalls a policy confines: those with a category that is on. */
    public static List<Entry> of(Policy policy) {
        return TABLE.stream().filter(e -> e.categories().stream().anyMatch(policy::isSandboxed)).toList();
    }

    /**
     * The filter to load after the OCI one: SCMP_ACT_NOTIFY for the confined
     * syscalls, everything else allowed (the OCI filter has had its say).
     * sendto notifies only with a destination address: on a connected socket
     * connect was asked already.
     */
    public static SeccompProgram program(Policy policy) {
        List<SyscallRule> rules = new ArrayList<>();
        for (Entry e : of(policy)) {
            List<ArgCondition> conditions = e.shape() instanceof Shape.Address a && a.pointer() == 4
                    ? List.of(new ArgCondition(4, ArgOperator.NE, 0)) : List.of();
            rules.add(new SyscallRule(e.name(), SeccompAction.NOTIFY, conditions, "policy"));
        }
        for (Refusal r : refusals(policy)) {
            rules.add(new SyscallRule(r.name(), SeccompAction.errno(r.errno()), List.of(), "policy: no bypass"));
        }
        return new SeccompProgram(SeccompAction.ALLOW, List.of(), Set.of(), rules);
    }

    /** The supervised syscalls by this machine's numbers (what a notification carries). */
    public static Map<Integer, Entry> byNumber(Libseccomp lib) {
        Map<Integer, Entry> m = new HashMap<>();
        for (Entry e : TABLE) {
            OptionalInt nr = lib.syscall(e.name());
            if (nr.isPresent() && nr.getAsInt() >= 0) {
                m.put(nr.getAsInt(), e);
            }
        }
        return Map.copyOf(m);
    }
}
