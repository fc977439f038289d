package io.jsyd.runtime.trace;

import java.util.Optional;

/**
 * What the exec checks need to know about the program a process is about to run
 * (or has just started): its canonical path in the container, the owner and mode
 * of its directory, the uid of the caller, the SHA-256 of its contents (only read
 * when force is on) and whether its ELF header asks for an executable stack.
 *
 * @param trustedUid the uid that owns the container's root directory (root's uid as the host sees it)
 */
public record ExecImage(String path, long dirUid, int dirMode, long trustedUid, long callerUid,
                        Optional<byte[]> sha256, boolean execStack) {
}
