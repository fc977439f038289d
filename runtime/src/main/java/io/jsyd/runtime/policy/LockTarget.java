package io.jsyd.runtime.policy;

/** What a Landlock rule grants a right on: everything beneath a path, or TCP ports. */
public sealed interface LockTarget {
    /** The target as policy text. */
    String text();

    /**
     * A path in the container, absolute and without {@code .}, {@code ..} or empty
     * components: Landlock grants beneath a file or directory, so there are no globs.
     */
    record Beneath(String path) implements LockTarget {
        public Beneath {
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("expected an absolute path, got '" + GlobSyntax.shorten(path) + "'");
            }
            if (path.length() > 4095) {
                throw new IllegalArgumentException("a path is at most 4095 bytes");
            }
            if (path.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("a path cannot contain NUL");
            }
            if (path.length() > 1) {
                if (path.endsWith("/")) {
                    throw new IllegalArgumentException("expected a path without a trailing '/', got '"
                            + GlobSyntax.shorten(path) + "'");
                }
                for (String part : path.substring(1).split("/", -1)) {
                    if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                        throw new IllegalArgumentException("expected a path without '.', '..' or '//' components, got '"
                                + GlobSyntax.shorten(path) + "'");
                    }
                }
            }
            if (path.indexOf('*') >= 0 || path.indexOf('?') >= 0 || path.indexOf('[') >= 0) {
                String tree = path.replaceAll("/\\*+$", "");
                throw new IllegalArgumentException("Landlock grants everything beneath a path: write '"
                        + GlobSyntax.shorten(tree.isEmpty() ? "/" : tree) + "' (no globs), got '"
                        + GlobSyntax.shorten(path) + "'");
            }
        }

        @Override
        public String text() {
            return path;
        }
    }

    /** TCP ports, both ends included (0 is the ephemeral port). */
    record Ports(PortRange range) implements LockTarget {
        @Override
        public String text() {
            return range.text();
        }
    }
}
