package io.jsyd.runtime.container;

/** One line of a uid_map or gid_map: container id, host id, count. */
public record IdMapping(long containerId, long hostId, long size) {
    public String line() {
        return containerId + " " + hostId + " " + size + "\n";
    }
}
