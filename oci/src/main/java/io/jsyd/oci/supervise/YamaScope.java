package io.jsyd.oci.supervise;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The Yama LSM's ptrace_scope, which decides whether the daemon may seize a
 * process that is not its child (the container's init is the caller's). Scopes 1
 * (descendants only) and 2 (CAP_SYS_PTRACE only) let root's daemon through by its
 * CAP_SYS_PTRACE; scope 3 forbids every attach until the next boot, so a policy
 * with ptrace checks cannot run under create/start at all: said plainly, before
 * PTRACE_SEIZE fails with a bare EPERM.
 */
final class YamaScope {
    static final Path FILE = Path.of("/proc/sys/kernel/yama/ptrace_scope");

    private YamaScope() {
    }

    static void checkAttachAllowed() {
        String scope;
        try {
            scope = Files.readString(FILE).strip();
        } catch (NoSuchFileException e) {
            return; // no Yama: the classic rules, under which root may trace anything
        } catch (IOException e) {
            throw new IllegalStateException("read " + FILE + ": " + e.getMessage(), e);
        }
        if (scope.equals("3")) {
            throw new IllegalStateException("the policy's ptrace checks need the supervisor daemon to trace the"
                    + " container, and " + FILE + " is 3 (no process may attach to another until reboot)");
        }
    }
}
