package io.jsyd.runtime.supervisor;

import io.jsyd.runtime.linux.LinuxConstants;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The names a supervised call uses, as the container means them: absolute, with
 * ".", ".." and repeated slashes resolved against the caller's cwd or dirfd and
 * root, and the magic names that stand for one of the caller's fds.
 */
final class ContainerPaths {
    private static final int AT_FDCWD = (int) LinuxConstants.AT_FDCWD;

    private ContainerPaths() {
    }

    /**
     * The absolute path the container means, bytes kept as ISO-8859-1 chars; null
     * when the call names no path (an empty one, which only works with
     * AT_EMPTY_PATH and acts on the fd, checked when it was opened).
     */
    static String containerPath(int pid, int dirfd, byte[] path) {
        if (path.length == 0) {
            return null;
        }
        String p = new String(path, StandardCharsets.ISO_8859_1);
        if (p.charAt(0) == '/') {
            return isNormal(p) ? p : normalize("", p);
        }
        String base = dirfd == AT_FDCWD ? link(pid, "cwd") : link(pid, "fd/" + dirfd);
        String root = link(pid, "root");
        if (!root.equals("/") && (base.equals(root) || base.startsWith(root + "/"))) {
            base = base.substring(root.length());
        }
        return normalize(base, p);
    }

    private static String link(int pid, String name) {
        try {
            String s = Files.readSymbolicLink(Path.of("/proc/" + pid + "/" + name)).toString();
            return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            // the caller is gone, or the fd is no directory: "/" keeps the decision on the safe side of a
            // relative rule, and the kernel fails the call itself
            return "/";
        }
    }

    /** Whether an absolute path has nothing to resolve: no "//", no "." or ".." component, no trailing "/". */
    static boolean isNormal(String p) {
        int n = p.length();
        if (n > 1 && p.charAt(n - 1) == '/') {
            return false;
        }
        for (int i = 0; i < n - 1; i++) {
            if (p.charAt(i) == '/' && (p.charAt(i + 1) == '/' || p.charAt(i + 1) == '.')) {
                return false;
            }
        }
        return true;
    }

    /** {@code base/path} with ".", ".." and repeated slashes resolved, never above "/". */
    static String normalize(String base, String path) {
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        for (String whole : new String[] {base, path}) {
            for (String c : whole.split("/")) {
                if (c.isEmpty() || c.equals(".")) {
                    continue;
                }
                if (c.equals("..")) {
                    parts.pollLast();
                } else {
                    parts.addLast(c);
                }
            }
        }
        return parts.isEmpty() ? "/" : "/" + String.join("/", parts);
    }


    private static final java.util.regex.Pattern MAGIC_FD =
            java.util.regex.Pattern.compile("/(?:proc/(?:self|thread-self)|dev)/fd/([0-9]{1,9})");

    /**
     * The caller's fd that a magic name stands for (/proc/self/fd/N, /dev/fd/N,
     * /dev/stdin ...), or -1: the supervisor reopens that file as the kernel would.
     */
    static int magicFd(String where) {
        switch (where) {
            case "/dev/stdin":
                return 0;
            case "/dev/stdout":
                return 1;
            case "/dev/stderr":
                return 2;
            default:
                break;
        }
        if (!where.startsWith("/proc/") && !where.startsWith("/dev/fd/")) {
            return -1;
        }
        java.util.regex.Matcher m = MAGIC_FD.matcher(where);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }
}
