package io.jsyd.runtime.container;

import io.jsyd.runtime.linux.LinuxConstants;

/**
 * The eight Linux namespaces, in the order they are joined: the user namespace
 * first (it owns the others), the mount namespace last (after it, host paths of the
 * other namespaces may no longer resolve).
 */
public enum NamespaceKind {
    USER(LinuxConstants.CLONE_NEWUSER, "user"),
    IPC(LinuxConstants.CLONE_NEWIPC, "ipc"),
    UTS(LinuxConstants.CLONE_NEWUTS, "uts"),
    NETWORK(LinuxConstants.CLONE_NEWNET, "net"),
    PID(LinuxConstants.CLONE_NEWPID, "pid"),
    CGROUP(LinuxConstants.CLONE_NEWCGROUP, "cgroup"),
    TIME(LinuxConstants.CLONE_NEWTIME, "time"),
    MOUNT(LinuxConstants.CLONE_NEWNS, "mnt");

    private final long cloneFlag;
    private final String procName;

    NamespaceKind(long cloneFlag, String procName) {
        this.cloneFlag = cloneFlag;
        this.procName = procName;
    }

    public long cloneFlag() {
        return cloneFlag;
    }

    /** The name under /proc/PID/ns/. */
    public String procName() {
        return procName;
    }
}
