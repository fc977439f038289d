package io.jsyd.runtime.trace;

/**
 * Host paths of the files a tracee names ("/proc/PID/root" plus a path in its
 * root), joined as text the way java.nio.file.Path joins them (repeated and
 * trailing slashes dropped) without making a Path per stop.
 */
final class HostPaths {
    private HostPaths() {
    }

    /**
     * {@code relative} under {@code root} (a path without repeated or trailing
     * slashes): {@code root} itself when {@code relative} is empty, and, as
     * Path.resolve has it, {@code relative} alone when it is absolute.
     */
    static String under(String root, String relative) {
        String r = normal(relative);
        if (r.isEmpty()) {
            return root;
        }
        return r.charAt(0) == '/' ? r : root + "/" + r;
    }

    /** The directory part of a normalised path ("/" for a top-level name, null for a bare name). */
    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? null : slash == 0 ? "/" : path.substring(0, slash);
    }

    /** {@code p} with repeated slashes made one and a trailing slash dropped (not the root's own). */
    static String normal(String p) {
        if (p.indexOf("//") < 0 && (p.length() < 2 || p.charAt(p.length() - 1) != '/')) {
            return p;
        }
        StringBuilder b = new StringBuilder(p.length());
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c != '/' || b.isEmpty() || b.charAt(b.length() - 1) != '/') {
                b.append(c);
            }
        }
        if (b.length() > 1 && b.charAt(b.length() - 1) == '/') {
            b.setLength(b.length() - 1);
        }
        return b.toString();
    }
}
