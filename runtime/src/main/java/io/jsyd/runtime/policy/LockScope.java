package io.jsyd.runtime.policy;

/**
 * What Landlock's scoping (ABI 6) keeps inside the container's Landlock domain: a
 * confined process cannot reach a process or socket outside it this way.
 */
public enum LockScope {
    /** Signals to processes outside the domain (kill, tgkill, F_SETOWN targets). */
    SIGNAL("signal"),
    /** Connecting or sending to abstract UNIX sockets made outside the domain. */
    ABSTRACT_UNIX("abstract");

    private final String spelling;

    LockScope(String spelling) {
        this.spelling = spelling;
    }

    public String spelling() {
        return spelling;
    }
}
