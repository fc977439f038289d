package io.jsyd.oci.image;

import io.jsyd.oci.ImageException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves an image's {@code User} ("user", "uid", "user:group", "uid:gid",
 * ":group") against the rootfs's /etc/passwd and /etc/group, as the image
 * spec's conversion rules say: numbers are taken as they are, names must
 * exist, and a named user without a group gets its group memberships as
 * additional gids.
 */
final class UserLookup {
    /** The process user: ids, extra groups, and the home directory when passwd has one. */
    record Resolved(long uid, long gid, List<Long> additionalGids, Optional<String> home) {
    }

    record PasswdEntry(String name, long uid, long gid, String home) {
    }

    record GroupEntry(String name, long gid, List<String> members) {
    }

    private UserLookup() {
    }

    /** {@code passwd} and {@code group} are the files' contents, empty when the rootfs has none. */
    static Resolved resolve(String user, String passwd, String group) throws ImageException {
        List<PasswdEntry> users = parsePasswd(passwd);
        List<GroupEntry> groups = parseGroup(group);
        String userPart = user;
        String groupPart = null;
        int colon = user.indexOf(':');
        if (colon >= 0) {
            userPart = user.substring(0, colon);
            groupPart = user.substring(colon + 1);
        }
        long uid;
        long gid = 0;
        Optional<String> home = Optional.empty();
        String userName = null;
        if (userPart.isEmpty()) {
            uid = 0;
            Optional<PasswdEntry> rootEntry = users.stream().filter(u -> u.uid() == 0).findFirst();
            home = rootEntry.map(PasswdEntry::home).filter(h -> !h.isEmpty());
        } else if (isNumber(userPart)) {
            uid = number(userPart, "user", user);
            Optional<PasswdEntry> entry = users.stream().filter(u -> u.uid() == uid).findFirst();
            if (entry.isPresent()) {
                gid = entry.get().gid();
                home = Optional.of(entry.get().home()).filter(h -> !h.isEmpty());
            }
        } else {
            String name = userPart;
            PasswdEntry entry = users.stream().filter(u -> u.name().equals(name)).findFirst()
                    .orElseThrow(() -> new ImageException("the image's User \"" + user + "\": no user " + name
                            + " in the rootfs's /etc/passwd"));
            uid = entry.uid();
            gid = entry.gid();
            home = Optional.of(entry.home()).filter(h -> !h.isEmpty());
            userName = name;
        }
        List<Long> additional = new ArrayList<>();
        if (groupPart != null && !groupPart.isEmpty()) {
            if (isNumber(groupPart)) {
                gid = number(groupPart, "group", user);
            } else {
                String name = groupPart;
                gid = groups.stream().filter(g -> g.name().equals(name)).findFirst()
                        .orElseThrow(() -> new ImageException("the image's User \"" + user + "\": no group " + name
                                + " in the rootfs's /etc/group"))
                        .gid();
            }
        } else if (userName != null) {
            Set<Long> seen = new LinkedHashSet<>();
            for (GroupEntry g : groups) {
                if (g.members().contains(userName)) {
                    seen.add(g.gid());
                }
            }
            additional.addAll(seen);
        }
        return new Resolved(uid, gid, additional, home);
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static long number(String s, String what, String user) throws ImageException {
        try {
            long v = Long.parseLong(s);
            if (v > 0xFFFFFFFFL - 1) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ImageException("the image's User \"" + user + "\": " + what + " id " + s + " is out of range");
        }
    }

    static List<PasswdEntry> parsePasswd(String text) {
        List<PasswdEntry> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.split(":", -1);
            if (line.startsWith("#") || f.length < 6 || !isNumber(f[2]) || !isNumber(f[3]) || f[2].length() > 10
                    || f[3].length() > 10) {
                continue;
            }
            out.add(new PasswdEntry(f[0], Long.parseLong(f[2]), Long.parseLong(f[3]), f[5]));
        }
        return out;
    }

    static List<GroupEntry> parseGroup(String text) {
        List<GroupEntry> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.split(":", -1);
            if (line.startsWith("#") || f.length < 4 || !isNumber(f[2]) || f[2].length() > 10) {
                continue;
            }
            List<String> members = new ArrayList<>();
            for (String m : f[3].split(",")) {
                if (!m.isBlank()) {
                    members.add(m.strip());
                }
            }
            out.add(new GroupEntry(f[0], Long.parseLong(f[2]), members));
        }
        return out;
    }
}
