package io.jsyd.runtime.policy;

import java.util.Arrays;

/**
 * The form paths must have before they are matched: absolute, no empty, {@code .}
 * or {@code ..} components, no trailing slash. Slashes and dots are tidied here;
 * {@code ..} is refused, because only the kernel knows where it leads once
 * symlinks are involved (the supervisor resolves paths in the container before it
 * asks), and a lexical guess is how path checks get bypassed.
 */
final class ResolvedPaths {
    private ResolvedPaths() {
    }

    /** {@code path} itself when it is already in resolved form (the usual case), else a tidied copy. */
    static byte[] check(byte[] path) {
        int n = path.length;
        if (n == 0 || path[0] != '/') {
            throw new IllegalArgumentException("expected an absolute path, got '" + preview(path) + "'");
        }
        boolean tidy = true;
        for (int i = 0; i < n; i++) {
            byte b = path[i];
            if (b == 0) {
                throw new IllegalArgumentException("a path cannot contain a NUL byte");
            }
            if (b == '/' && tidy) {
                int rest = n - i - 1;
                if (rest == 0) {
                    tidy = n == 1;
                } else if (path[i + 1] == '/') {
                    tidy = false;
                } else if (path[i + 1] == '.' && (rest == 1 || path[i + 2] == '/'
                        || (path[i + 2] == '.' && (rest == 2 || path[i + 3] == '/')))) {
                    tidy = false;
                }
            }
        }
        return tidy ? path : tidied(path);
    }

    private static byte[] tidied(byte[] path) {
        byte[] out = new byte[path.length];
        int o = 0;
        int i = 0;
        int n = path.length;
        while (i < n) {
            while (i < n && path[i] == '/') {
                i++;
            }
            int start = i;
            while (i < n && path[i] != '/') {
                i++;
            }
            int len = i - start;
            if (len == 0 || (len == 1 && path[start] == '.')) {
                continue;
            }
            if (len == 2 && path[start] == '.' && path[start + 1] == '.') {
                throw new IllegalArgumentException("'..' in '" + preview(path)
                        + "': paths must be resolved before they are matched");
            }
            out[o++] = '/';
            System.arraycopy(path, start, out, o, len);
            o += len;
        }
        if (o == 0) {
            out[o++] = '/';
        }
        return Arrays.copyOf(out, o);
    }

    private static String preview(byte[] path) {
        String s = new String(path, 0, Math.min(path.length, 80), java.nio.charset.StandardCharsets.UTF_8);
        return path.length > 80 ? s + "..." : s;
    }
}
