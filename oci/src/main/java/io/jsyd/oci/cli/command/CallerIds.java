package io.jsyd.oci.cli.command;

import io.jsyd.oci.OciIoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The effective uid and gid of the caller. While the command runs in the caller's
 * own JVM they are this process's; a resident server will take them from the
 * client's socket credentials instead, which is why they are read in one place.
 */
record CallerIds(long uid, long gid) {
    private static final Path STATUS = Path.of("/proc/self/status");

    static CallerIds ofThisProcess() throws OciIoException {
        try {
            return parseStatus(Files.readString(STATUS));
        } catch (IOException e) {
            throw new OciIoException("read", STATUS, e);
        }
    }

    /** The second of the four ids on the Uid: and Gid: lines of /proc/PID/status is the effective one. */
    static CallerIds parseStatus(String status) {
        long uid = -1;
        long gid = -1;
        for (String line : status.split("\n")) {
            if (line.startsWith("Uid:")) {
                uid = effective(line);
            } else if (line.startsWith("Gid:")) {
                gid = effective(line);
            }
        }
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("no Uid:/Gid: lines in process status");
        }
        return new CallerIds(uid, gid);
    }

    private static long effective(String line) {
        String[] fields = line.substring(4).trim().split("\\s+");
        return Long.parseLong(fields[1]);
    }
}
