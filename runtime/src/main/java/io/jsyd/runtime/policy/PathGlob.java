package io.jsyd.runtime.policy;

/**
 * A glob over absolute, normalized paths (or, in the network categories, UNIX
 * socket names: a path, or {@code @name} for the abstract namespace). The syntax is
 * rsync's wildmatch as Syd uses it:
 * <ul>
 *   <li>{@code *} any run of bytes within one component (never {@code /});
 *   <li>{@code **} any run of bytes, {@code /} included;
 *   <li>{@code /***} as the last component: the directory itself and everything
 *       below it ({@code /usr/***} matches {@code /usr}, {@code /usr/bin/env});
 *   <li>{@code ?} one character other than {@code /} (a whole UTF-8 sequence);
 *   <li>{@code [abc]}, {@code [a-z]}, {@code [!abc]} or {@code [^abc]}: one
 *       character in (or not in) an ASCII set, never {@code /};
 *   <li>{@code \} makes the next character literal.
 * </ul>
 * Paths are matched after the supervisor has resolved them, so a pattern that
 * could only match an unresolved path ({@code .} or {@code ..} components, an
 * empty component, a trailing {@code /}) is refused when it is parsed instead of
 * silently never matching.
 */
public record PathGlob(String text) implements Pattern {
    public PathGlob {
        GlobSyntax.parse(text);
        if (text.charAt(0) != '/' && text.charAt(0) != '@') {
            throw new IllegalArgumentException("expected a path ('/...') or an abstract socket name ('@...'), got '"
                    + GlobSyntax.shorten(text) + "'");
        }
    }

    /** A glob for file paths: it must start with {@code /}. */
    public static PathGlob ofPath(String text) {
        if (text.isEmpty() || text.charAt(0) != '/') {
            throw new IllegalArgumentException("expected an absolute path glob (starting with '/'), got '"
                    + GlobSyntax.shorten(text) + "'");
        }
        return new PathGlob(text);
    }

    /** A glob for UNIX socket names: a path, or {@code @name} for an abstract socket. */
    public static PathGlob ofSocket(String text) {
        if (text.isEmpty() || (text.charAt(0) != '/' && text.charAt(0) != '@')) {
            throw new IllegalArgumentException("expected a UNIX socket path ('/...') or abstract name ('@...'), got '"
                    + GlobSyntax.shorten(text) + "'");
        }
        return new PathGlob(text);
    }

    /** Whether this glob names abstract UNIX sockets rather than paths. */
    public boolean isAbstract() {
        return text.charAt(0) == '@';
    }
}
