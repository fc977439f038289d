package io.jsyd.runtime.policy;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A sandbox category: one kind of access that can be confined on its own, with its
 * own rules and default. The path categories take path globs; the network ones take
 * addresses with ports (bind, connect) or UNIX socket names (all three).
 */
public enum Category {
    READ("read", Kind.PATH),
    WRITE("write", Kind.PATH),
    EXEC("exec", Kind.PATH),
    STAT("stat", Kind.PATH),
    CREATE("create", Kind.PATH),
    NET_BIND("net/bind", Kind.NET),
    NET_CONNECT("net/connect", Kind.NET),
    /** Passing file descriptors over UNIX sockets (SCM_RIGHTS): socket names only. */
    NET_SENDFD("net/sendfd", Kind.NET);

    /** What a category's patterns are. */
    public enum Kind { PATH, NET }

    private final String spelling;
    private final Kind kind;

    Category(String spelling, Kind kind) {
        this.spelling = spelling;
        this.kind = kind;
    }

    public String spelling() {
        return spelling;
    }

    public Kind kind() {
        return kind;
    }

    /** Whether rules of this category may name an IP address and ports. */
    public boolean takesAddresses() {
        return this == NET_BIND || this == NET_CONNECT;
    }

    /** The spellings a policy line may use for one category. */
    public static List<String> spellings() {
        return java.util.Arrays.stream(values()).map(Category::spelling).toList();
    }

    public static Optional<Category> ofSpelling(String word) {
        for (Category c : values()) {
            if (c.spelling.equals(word)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /**
     * The categories a word stands for in {@code sandbox/} and {@code default/} lines,
     * where {@code net} is shorthand for all three network categories (as in Syd).
     */
    public static Optional<Set<Category>> ofGroupSpelling(String word) {
        if (word.equals("net")) {
            return Optional.of(EnumSet.of(NET_BIND, NET_CONNECT, NET_SENDFD));
        }
        return ofSpelling(word).map(EnumSet::of);
    }
}
