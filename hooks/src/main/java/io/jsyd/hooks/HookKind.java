package io.jsyd.hooks;

/**
 * The six points of runtime-spec 1.3 (config.md "POSIX-platform Hooks"), in the
 * order a container meets them, each with the field name the spec gives it.
 */
public enum HookKind {
    /** Deprecated in the spec, kept: runs with createRuntime, before it, in the runtime namespace. */
    PRESTART("prestart", true),
    /** In the runtime namespace, once the container's namespaces exist, before pivot_root. */
    CREATE_RUNTIME("createRuntime", true),
    /** In the container's namespaces, before pivot_root. */
    CREATE_CONTAINER("createContainer", true),
    /** In the container, after `start`, before the user process runs. */
    START_CONTAINER("startContainer", true),
    /**
     * In the runtime namespace, after the user process started, before `start` returns. A
     * failure stops the container since runtime-spec 1.1 (1.0 said warn); runc 1.1 fails too.
     */
    POSTSTART("poststart", true),
    /** In the runtime namespace, after the container is deleted; a failure is only a warning. */
    POSTSTOP("poststop", false);

    private final String specName;
    private final boolean fatal;

    HookKind(String specName, boolean fatal) {
        this.specName = specName;
        this.fatal = fatal;
    }

    /** The spec's field name: "createRuntime", ... */
    public String specName() {
        return specName;
    }

    /** True when a failure of this kind stops the container (the spec's MUST generate an error). */
    public boolean fatal() {
        return fatal;
    }
}
