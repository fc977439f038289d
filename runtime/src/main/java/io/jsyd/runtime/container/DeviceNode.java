package io.jsyd.runtime.container;

/**
 * A device file to create in the container's /dev.
 *
 * @param type 'c' (or 'u'), 'b' or 'p'
 * @param mode permission bits only
 */
public record DeviceNode(String origin, String path, char type, long major, long minor, int mode,
                         long uid, long gid) {
}
