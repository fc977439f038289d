package io.jsyd.hooks;

/**
 * A hook failed: it could not be started, exited non-zero, was killed by a signal
 * or ran past its timeout. The message names the kind, the index in the config's
 * list, the path and the head of what the hook wrote to stdout and stderr (the
 * same words the init stub uses for the hooks it runs).
 */
public final class HookFailedException extends RuntimeException {
    private final HookKind kind;
    private final int index;
    private final String stderr;

    public HookFailedException(HookKind kind, int index, String path, String what, String stderr, Throwable cause) {
        super(kind.specName() + " hook #" + index + " (" + path + "): " + what
                + (stderr.isBlank() ? "" : ": output: " + stderr.strip()), cause);
        this.kind = kind;
        this.index = index;
        this.stderr = stderr;
    }

    public HookKind kind() {
        return kind;
    }

    public int index() {
        return index;
    }

    public String stderr() {
        return stderr;
    }
}
