package io.jsyd.runtime.container;

import io.jsyd.runtime.linux.KernelFiles;
import java.util.List;

/** Writes a process's uid_map and gid_map from the parent namespace. */
public final class IdMapWriter {
    private IdMapWriter() {
    }

    public static void write(int pid, List<IdMapping> uids, List<IdMapping> gids) {
        writeMap(pid, "uid_map", uids, "linux.uidMappings");
        writeMap(pid, "gid_map", gids, "linux.gidMappings");
    }

    private static void writeMap(int pid, String file, List<IdMapping> maps, String field) {
        if (maps.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder();
        maps.forEach(m -> text.append(m.line()));
        KernelFiles.writeOnce("/proc/" + pid + "/" + file, text.toString(), field);
    }
}
