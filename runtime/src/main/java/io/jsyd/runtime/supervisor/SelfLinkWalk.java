package io.jsyd.runtime.supervisor;

import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.LinuxConstants;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A name walked in a caller's place link by link, for the one thing the
 * kernel's own walk cannot do for a worker there: proc's {@code self} and
 * {@code thread-self} name the task that walks, and a worker is no task of the
 * container's pid namespace, so a link through them (/proc/mounts is
 * self/mounts, /etc/mtab often /proc/self/mounts) ends in ENOENT. One per
 * worker thread, used between {@link CallerOpen#enter} and its leave.
 */
final class SelfLinkWalk implements AutoCloseable {
    private static final int PATH_MAX = 4096;
    private static final int O_PATH = (int) LinuxConstants.O_PATH;
    private static final int O_CLOEXEC = (int) LinuxConstants.O_CLOEXEC;
    private static final int O_NOFOLLOW = (int) LinuxConstants.O_NOFOLLOW;
    private static final int AT_FDCWD = (int) LinuxConstants.AT_FDCWD;

    private final CallerOpen thread;
    private final NotifyCalls calls;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment name = arena.allocate(PATH_MAX + 64, 8);
    private final ByteBuffer nameView = NotifySupervisor.view(name);
    private final MemorySegment scratch = arena.allocate(PATH_MAX, 8);
    private final ByteBuffer scratchView = NotifySupervisor.view(scratch);
    private final MemorySegment empty = arena.allocate(8, 8);

    SelfLinkWalk(CallerOpen thread) {
        this.thread = thread;
        this.calls = thread.calls();
    }

    /** As the kernel: at most 40 symbolic links in one walk. */
    private static final int MAX_LINKS = 40;

    /**
     * {@code path} from {@code dir} with every symbolic link on its way spelled
     * out, walked as the caller (its credentials, in its root), where proc's self
     * and thread-self, which have no text for a task outside the container's pid
     * namespace, stand for the caller's pid and tid: /proc/mounts (self/mounts),
     * /proc/net, /etc/mtab. Null when no such link was met, or the walk failed:
     * the kernel's own walk has answered then. The final component is followed
     * when {@code followLast} or a slash follows it.
     */
    String spellOut(int dir, byte[] path, boolean followLast) {
        String rest = new String(path, StandardCharsets.ISO_8859_1);
        java.util.ArrayDeque<String> done = new java.util.ArrayDeque<>();
        boolean absolute = rest.startsWith("/");
        boolean trailingSlash = rest.endsWith("/");
        boolean metSelf = false;
        int links = 0;
        if (absolute && !rest.equals("/proc") && !rest.startsWith("/proc/") && !isThere(rest)) {
            // not in proc and not there even as a link: simply not there (a loader's or a shell's search)
            return null;
        }
        int cur = calls.openat(absolute ? AT_FDCWD : dir, absolute ? slash() : dot(), O_PATH | O_CLOEXEC, 0);
        if (cur < 0) {
            return null;
        }
        try {
            while (true) {
                int i = 0;
                while (i < rest.length() && rest.charAt(i) == '/') {
                    i++;
                }
                rest = rest.substring(i);
                if (rest.isEmpty()) {
                    break;
                }
                int end = rest.indexOf('/');
                String component = end < 0 ? rest : rest.substring(0, end);
                rest = end < 0 ? "" : rest.substring(end);
                if (component.equals(".")) {
                    continue;
                }
                put(0, component);
                nameView.put(component.length(), (byte) 0);
                int next = calls.openat(cur, name, O_PATH | O_CLOEXEC | O_NOFOLLOW, 0);
                if (next < 0) {
                    return null;
                }
                boolean link = calls.fstat(next, scratch) == 0
                        && (scratchView.getInt(LinuxConstants.STAT_MODE) & (int) LinuxConstants.S_IFMT)
                        == (int) LinuxConstants.S_IFLNK;
                if (!link || (rest.isEmpty() && !followLast)) {
                    NotifyCalls.close(cur);
                    cur = next;
                    if (component.equals("..")) {
                        if (!done.isEmpty() && !done.peekLast().equals("..")) {
                            done.pollLast();
                        } else if (!absolute) {
                            done.addLast("..");
                        }
                    } else {
                        done.addLast(component);
                    }
                    continue;
                }
                String target;
                long n = calls.syscall(LinuxConstants.SYS_readlinkat, next, empty.address(), scratch.address(),
                        PATH_MAX, 0, 0);
                int errno = n < 0 ? calls.errno() : 0;
                NotifyCalls.close(next);
                if (++links > MAX_LINKS) {
                    return null;
                }
                if (n >= 0) {
                    byte[] text = new byte[(int) n];
                    scratchView.get(0, text);
                    target = new String(text, StandardCharsets.ISO_8859_1);
                } else if (errno == Errno.ENOENT.number() && component.equals("self")) {
                    target = Integer.toString(thread.nsPid());
                    metSelf = true;
                } else if (errno == Errno.ENOENT.number() && component.equals("thread-self")) {
                    target = thread.nsPid() + "/task/" + thread.nsTid();
                    metSelf = true;
                } else {
                    return null;
                }
                rest = target + rest;
                if (target.startsWith("/")) {
                    NotifyCalls.close(cur);
                    cur = calls.openat(AT_FDCWD, slash(), O_PATH | O_CLOEXEC, 0);
                    if (cur < 0) {
                        return null;
                    }
                    done.clear();
                    absolute = true;
                }
            }
        } finally {
            if (cur >= 0) {
                NotifyCalls.close(cur);
            }
        }
        if (!metSelf) {
            return null;
        }
        String joined = String.join("/", done);
        String spelled = absolute ? "/" + joined : joined.isEmpty() ? "." : joined;
        spelled = trailingSlash && !spelled.endsWith("/") ? spelled + "/" : spelled;
        return spelled.length() < PATH_MAX ? spelled : null;
    }

    private MemorySegment slash() {
        nameView.put(0, (byte) '/');
        nameView.put(1, (byte) 0);
        return name;
    }

    private MemorySegment dot() {
        nameView.put(0, (byte) '.');
        nameView.put(1, (byte) 0);
        return name;
    }

    /** Whether absolute {@code path} is there, its last component itself if a link. */
    private boolean isThere(String path) {
        int n = put(0, path);
        nameView.put(n, (byte) 0);
        int fd = calls.openat(AT_FDCWD, name, O_PATH | O_CLOEXEC | O_NOFOLLOW, 0);
        if (fd < 0) {
            return false;
        }
        NotifyCalls.close(fd);
        return true;
    }

    private int put(int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            nameView.put(at + i, (byte) s.charAt(i));
        }
        return at + s.length();
    }

    @Override
    public void close() {
        arena.close();
    }
}
