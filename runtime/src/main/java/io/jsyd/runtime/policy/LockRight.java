package io.jsyd.runtime.policy;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One Landlock access right as the policy names it ({@code allow/lock/RIGHT+...}),
 * with Syd's names. Which kernel bit each maps to and which ABI it needs is the
 * landlock package's business; here a right only knows what its rules take.
 */
public enum LockRight {
    READ("read"),
    READDIR("readdir"),
    WRITE("write"),
    EXEC("exec"),
    /** ioctl(2) on character and block devices. */
    IOCTL("ioctl"),
    /** Making regular files. */
    CREATE("create"),
    /** Removing (unlinking) files. */
    DELETE("delete"),
    /** Renaming and linking into another directory. */
    RENAME("rename"),
    SYMLINK("symlink"),
    TRUNCATE("truncate"),
    MKDIR("mkdir"),
    RMDIR("rmdir"),
    MKBDEV("mkbdev"),
    MKCDEV("mkcdev"),
    MKFIFO("mkfifo"),
    /** A TCP port for bind(2), or a UNIX socket path the socket file may be made at. */
    BIND("bind"),
    /** A TCP port for connect(2). */
    CONNECT("connect");

    private final String spelling;

    LockRight(String spelling) {
        this.spelling = spelling;
    }

    public String spelling() {
        return spelling;
    }

    /** Whether rules of this right may name TCP ports. */
    public boolean takesPorts() {
        return this == BIND || this == CONNECT;
    }

    /** Whether rules of this right may name paths. */
    public boolean takesPaths() {
        return this != CONNECT;
    }

    public static List<String> spellings() {
        return Arrays.stream(values()).map(LockRight::spelling).toList();
    }

    /** The rights a word stands for: one right, or {@code all} for every right that takes paths but bind. */
    public static Optional<Set<LockRight>> ofGroupSpelling(String word) {
        if (word.equals("all")) {
            EnumSet<LockRight> all = EnumSet.allOf(LockRight.class);
            all.removeAll(EnumSet.of(BIND, CONNECT));
            return Optional.of(all);
        }
        for (LockRight r : values()) {
            if (r.spelling.equals(word)) {
                return Optional.of(EnumSet.of(r));
            }
        }
        return Optional.empty();
    }
}
