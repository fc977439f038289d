package io.jsyd.runtime.container;

import java.util.List;

/**
 * One mount of the container, already decoded from its options by the front end.
 *
 * @param destination      absolute path inside the container
 * @param source           host path of a bind mount, or the fs source ("proc", "tmpfs")
 * @param type             filesystem type; ignored for binds
 * @param bind             a bind mount; {@code recursive} makes it rbind
 * @param flags            MS_* flags other than bind and propagation
 * @param propagation      MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE, each maybe with MS_REC, in order
 * @param recursiveAttrSet MOUNT_ATTR_* to set on the whole tree (rro, rnosuid ...)
 * @param recursiveAttrClr MOUNT_ATTR_* to clear on the whole tree (rrw, rsuid ...)
 * @param data             fs-specific options, comma-separated
 * @param copyUp           tmpcopyup: what the destination held is copied into the new tmpfs
 */
public record MountEntry(String origin, String destination, String source, String type, boolean bind,
                         boolean recursive, long flags, List<Long> propagation, long recursiveAttrSet,
                         long recursiveAttrClr, String data, IdMap idmap, boolean copyUp) {
    public MountEntry {
        propagation = List.copyOf(propagation);
        data = data == null ? "" : data;
        source = source == null ? "" : source;
        type = type == null ? "" : type;
    }

    /** A mount without tmpcopyup. */
    public MountEntry(String origin, String destination, String source, String type, boolean bind, boolean recursive,
                      long flags, List<Long> propagation, long recursiveAttrSet, long recursiveAttrClr, String data,
                      IdMap idmap) {
        this(origin, destination, source, type, bind, recursive, flags, propagation, recursiveAttrSet, recursiveAttrClr,
                data, idmap, false);
    }

    /** A mount without an id mapping. */
    public MountEntry(String origin, String destination, String source, String type, boolean bind, boolean recursive,
                      long flags, List<Long> propagation, long recursiveAttrSet, long recursiveAttrClr, String data) {
        this(origin, destination, source, type, bind, recursive, flags, propagation, recursiveAttrSet, recursiveAttrClr,
                data, null);
    }

    /**
     * An idmapped bind mount (mount_setattr MOUNT_ATTR_IDMAP): files owned by an id in
     * the first column of a map show as owned by the second.
     *
     * @param recursive ridmap: every mount of an rbind tree, not only its top
     * @param uids      the mapping; empty for the container's own user namespace mapping
     */
    public record IdMap(boolean recursive, List<IdMapping> uids, List<IdMapping> gids) {
        public IdMap {
            uids = List.copyOf(uids);
            gids = List.copyOf(gids);
        }
    }
}
