package io.jsyd.runtime.container;

/**
 * The session keyring a container's processes join instead of the caller's, by
 * name (runc's {@code _ses.ID}): the init makes it (or joins one of that name it
 * may search) and adds {@code addPermissions} to its permissions so that
 * processes exec'd later find it by name; those join it with 0 (no change).
 *
 * @param addPermissions KEY_* permission bits or'ed into the keyring's (runc: the
 *                       owner's search bit, "other"'s with a user namespace)
 */
public record SessionKeyring(String name, long addPermissions) {
    /** KEY_USR_SEARCH: the keyring's owner may find it by name. */
    public static final long USER_SEARCH = 0x00080000L;
    /** KEY_OTH_SEARCH: anyone may find it by name (in a user namespace the joiner's ids differ). */
    public static final long OTHER_SEARCH = 0x00000008L;

    public SessionKeyring {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a session keyring needs a name");
        }
    }
}
