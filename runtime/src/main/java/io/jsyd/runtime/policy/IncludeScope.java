package io.jsyd.runtime.policy;

import java.nio.file.Path;

/**
 * How the {@code include} lines of one policy text are resolved. Texts the host's
 * administrator wrote (profile files, {@code --policy FILE}) include what they
 * like, relative to their own directory; text that comes with a container (its
 * annotations) may only include profiles under the profile directory, so a bundle
 * cannot make the runtime read, and quote back in an error, any file on the host.
 */
public sealed interface IncludeScope {
    /** {@code include} is an error: there is nothing to resolve against. */
    record Forbidden() implements IncludeScope {
    }

    /** Relative names resolve against {@code base}; absolute ones stand. */
    record Relative(Path base) implements IncludeScope {
    }

    /** Resolved against {@code base}, and the file found must lie under {@code root}. */
    record Confined(Path root, Path base) implements IncludeScope {
    }

    static IncludeScope forbidden() {
        return new Forbidden();
    }

    static IncludeScope relativeTo(Path directory) {
        return new Relative(directory);
    }

    static IncludeScope confinedTo(Path root) {
        return new Confined(root, root);
    }
}
