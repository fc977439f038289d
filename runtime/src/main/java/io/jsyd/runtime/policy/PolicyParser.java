package io.jsyd.runtime.policy;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads policy text, one command a line, into a {@link Policy}. Several texts can be
 * added in turn (profiles, then a container's own annotations); each line acts on
 * the policy built so far, so later lines override earlier ones, rules are
 * appended, and {@code -}/{@code ^} remove what came before. Every problem is
 * collected with its source and line; {@link #build()} reports them all at once.
 *
 * <pre>
 * # a comment; blank lines are ignored; leading and trailing blanks are trimmed
 * sandbox/read,write,exec,stat,create,net:on     turn categories on (or :off)
 * default/read:deny                              action when no rule matches (Syd's spelling)
 * allow/read,stat+/usr/***                       add a rule to each category named
 * deny/net/connect+0.0.0.0/0!22                  network rule: ADDRESS[/LENGTH]!PORT[-PORT][,...]
 * allow/net/bind+/run/app.sock                   UNIX socket by path, or @name for abstract
 * allow/read-/usr/***                            remove the most recent equal rule
 * allow/read^/usr/***                            remove every equal rule
 * timeout:30s                                    wall-clock limit (timeout:none clears it)
 * mem/max:512M   mem/vm_max:2G   pid/max:128     limits (0 = none)
 * include common.jsyd                            another file, relative to this one
 * lock:on                                        nothing after this may change the policy
 * sandbox/lock:on  allow/lock/read+/usr  ...     Landlock ({@link LockRulesParser})
 * </pre>
 * The ptrace layer's lines ({@code sandbox/mem,pid,tpe,force}, {@code force+},
 * {@code trace/allow_unsafe_memory:0} ...) are read by {@link TraceCommands}.
 * Actions are allow, warn, filter, deny, stop, kill, exit; categories read, write,
 * exec, stat, create, net/bind, net/connect, net/sendfd ({@code net} means the three
 * network categories in {@code sandbox/} and {@code default/} lines).
 */
public final class PolicyParser {
    /** Deep enough for any sane profile tree, shallow enough to stop a fan-out that never repeats a file. */
    static final int MAX_INCLUDE_DEPTH = 16;

    private final EnumSet<Category> sandboxed = EnumSet.noneOf(Category.class);
    private final EnumMap<Category, Action> defaults = new EnumMap<>(Category.class);
    private final EnumMap<Category, List<Rule>> rules = new EnumMap<>(Category.class);
    private Optional<Duration> timeout = Optional.empty();
    private OptionalLong memMax = OptionalLong.empty();
    private OptionalLong vmMax = OptionalLong.empty();
    private OptionalInt pidMax = OptionalInt.empty();
    private Optional<Origin> lockedAt = Optional.empty();
    private final LockRulesParser landlock = new LockRulesParser();
    private final List<PolicyProblem> problems = new ArrayList<>();
    private final TraceCommands trace = new TraceCommands();
    /** Real paths of the files being read, outermost first: a repeat is a cycle. */
    private final Deque<Path> including = new ArrayDeque<>();

    public PolicyParser() {
        for (Category c : Category.values()) {
            rules.put(c, new ArrayList<>());
        }
    }

    /** Parses one text that stands alone (includes are refused). */
    public static Policy parse(String source, String text) throws PolicyException {
        return new PolicyParser().add(new PolicyText(source, text, IncludeScope.forbidden())).build();
    }

    /** Adds the commands of one text. */
    public PolicyParser add(PolicyText text) {
        lines(text.source(), text.text(), text.includes());
        return this;
    }

    /**
     * Adds the commands of a file the host's administrator controls (a profile, or
     * {@code --policy FILE}); its includes resolve against its directory.
     */
    public PolicyParser addFile(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        readFile(absolute, Optional.empty(), IncludeScope.relativeTo(absolute.getParent()));
        return this;
    }

    /** The policy, or every problem found in all the texts added. */
    public Policy build() throws PolicyException {
        if (!problems.isEmpty()) {
            throw new PolicyException(problems);
        }
        Map<Category, List<Rule>> copy = new EnumMap<>(Category.class);
        rules.forEach((c, list) -> copy.put(c, List.copyOf(list)));
        ResourceLimits limits = new ResourceLimits(memMax, vmMax, pidMax);
        return new Policy(sandboxed, defaults, copy, timeout, limits, lockedAt, landlock.build(), trace.build(limits));
    }

    private void lines(String source, String text, IncludeScope scope) {
        int number = 0;
        for (String raw : text.split("\n", -1)) {
            number++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Origin origin = new Origin(source, number);
            if (lockedAt.isPresent()) {
                problem(origin, "the policy was locked (lock:on at " + lockedAt.get()
                        + "): nothing after it may change the policy");
                continue;
            }
            try {
                command(origin, line, scope);
            } catch (IllegalArgumentException e) {
                problem(origin, e.getMessage());
            }
        }
    }

    private void problem(Origin origin, String message) {
        problems.add(new PolicyProblem(origin, message));
    }

    private void command(Origin origin, String line, IncludeScope scope) {
        if (LockRulesParser.accepts(line)) {
            landlock.command(origin, line);
        } else if (trace.accepts(line)) {
            trace.command(origin, line);
        } else if (line.equals("include") || line.startsWith("include ") || line.startsWith("include\t")) {
            include(origin, line.substring("include".length()).strip(), scope);
        } else if (line.startsWith("sandbox/")) {
            sandbox(line.substring("sandbox/".length()));
        } else if (line.startsWith("default/")) {
            defaults(line.substring("default/".length()));
        } else if (line.startsWith("timeout:")) {
            String value = line.substring("timeout:".length());
            timeout = value.equals("none") || value.equals("off") ? Optional.empty()
                    : Optional.of(Durations.parse(value));
        } else if (line.startsWith("mem/max:")) {
            memMax = size(line.substring("mem/max:".length()));
        } else if (line.startsWith("mem/vm_max:")) {
            vmMax = size(line.substring("mem/vm_max:".length()));
        } else if (line.startsWith("pid/max:")) {
            pidMax = pids(line.substring("pid/max:".length()));
        } else if (line.startsWith("lock:")) {
            lock(origin, line.substring("lock:".length()));
        } else {
            int slash = line.indexOf('/');
            Optional<Action> action = slash < 0 ? Optional.empty() : Action.ofSpelling(line.substring(0, slash));
            if (action.isEmpty()) {
                throw new IllegalArgumentException("unknown command '" + GlobSyntax.shorten(line)
                        + "': expected sandbox/, default/, ACTION/CATEGORY+PATTERN (ACTION one of "
                        + spellings(Action.values()) + "), timeout:, mem/max:, mem/vm_max:, pid/max:, "
                        + "include or lock:");
            }
            rule(origin, action.get(), line.substring(slash + 1));
        }
    }

    private void sandbox(String rest) {
        int colon = rest.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected sandbox/CATEGORY[,CATEGORY...]:on or :off");
        }
        Set<Category> categories = groups(rest.substring(0, colon));
        switch (rest.substring(colon + 1)) {
            case "on" -> sandboxed.addAll(categories);
            case "off" -> sandboxed.removeAll(categories);
            default -> throw new IllegalArgumentException("expected on or off after sandbox/"
                    + rest.substring(0, colon) + ":, got '" + GlobSyntax.shorten(rest.substring(colon + 1)) + "'");
        }
    }

    private void defaults(String rest) {
        int colon = rest.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected default/CATEGORY[,CATEGORY...]:ACTION");
        }
        Set<Category> categories = groups(rest.substring(0, colon));
        String word = rest.substring(colon + 1);
        Action action = Action.ofSpelling(word).orElseThrow(() -> new IllegalArgumentException(
                "expected an action (" + spellings(Action.values()) + ") after default/"
                        + rest.substring(0, colon) + ":, got '" + GlobSyntax.shorten(word) + "'"));
        for (Category c : categories) {
            defaults.put(c, action);
        }
    }

    private static Set<Category> groups(String list) {
        EnumSet<Category> result = EnumSet.noneOf(Category.class);
        for (String word : list.split(",", -1)) {
            result.addAll(Category.ofGroupSpelling(word).orElseThrow(() -> new IllegalArgumentException(
                    "unknown category '" + GlobSyntax.shorten(word) + "': expected "
                            + String.join(", ", Category.spellings()) + " or net")));
        }
        return result;
    }

    private void rule(Origin origin, Action action, String rest) {
        int op = 0;
        while (op < rest.length() && isCategoryChar(rest.charAt(op))) {
            op++;
        }
        if (op == rest.length() || "+-^".indexOf(rest.charAt(op)) < 0) {
            throw new IllegalArgumentException("expected '+' (add), '-' (remove) or '^' (remove all) and a pattern"
                    + " after " + action.spelling() + "/" + GlobSyntax.shorten(rest.substring(0, op)));
        }
        List<Category> categories = new ArrayList<>();
        for (String word : rest.substring(0, op).split(",", -1)) {
            if (word.equals("net")) {
                throw new IllegalArgumentException("'net' names three categories; a rule names net/bind,"
                        + " net/connect or net/sendfd");
            }
            categories.add(Category.ofSpelling(word).orElseThrow(() -> new IllegalArgumentException(
                    "unknown category '" + GlobSyntax.shorten(word) + "': expected "
                            + String.join(", ", Category.spellings()))));
        }
        char operation = rest.charAt(op);
        String text = rest.substring(op + 1);
        if (text.isEmpty()) {
            throw new IllegalArgumentException("expected a pattern after '" + operation + "'");
        }
        for (Category category : categories) {
            for (Pattern pattern : patterns(category, text)) {
                List<Rule> list = rules.get(category);
                switch (operation) {
                    case '+' -> list.add(new Rule(action, category, pattern, origin));
                    case '-' -> {
                        // The most recent equal rule: removing undoes the latest addition.
                        for (int i = list.size() - 1; i >= 0; i--) {
                            if (list.get(i).sameAs(action, category, pattern)) {
                                list.remove(i);
                                break;
                            }
                        }
                    }
                    default -> list.removeIf(r -> r.sameAs(action, category, pattern));
                }
            }
        }
    }

    private static boolean isCategoryChar(char c) {
        return (c >= 'a' && c <= 'z') || c == '/' || c == ',';
    }

    private static List<? extends Pattern> patterns(Category category, String text) {
        if (category.kind() == Category.Kind.PATH) {
            return List.of(PathGlob.ofPath(text));
        }
        if (!text.isEmpty() && (text.charAt(0) == '/' || text.charAt(0) == '@')) {
            return List.of(PathGlob.ofSocket(text));
        }
        if (!category.takesAddresses()) {
            throw new IllegalArgumentException(category.spelling()
                    + " takes a UNIX socket path ('/...') or abstract name ('@...'), got '"
                    + GlobSyntax.shorten(text) + "'");
        }
        return NetAddress.parse(text);
    }

    private static OptionalLong size(String text) {
        long v = Durations.parseSize(text);
        return v == 0 ? OptionalLong.empty() : OptionalLong.of(v);
    }

    private static OptionalInt pids(String text) {
        if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("expected a number of processes (0 for no limit), got '"
                    + GlobSyntax.shorten(text) + "'");
        }
        int v = Integer.parseInt(text);
        return v == 0 ? OptionalInt.empty() : OptionalInt.of(v);
    }

    private void lock(Origin origin, String value) {
        switch (value) {
            case "on" -> lockedAt = Optional.of(origin);
            case "off" -> {
                // Nothing to undo: a locked policy never reaches here.
            }
            default -> throw new IllegalArgumentException("expected lock:on or lock:off, got lock:"
                    + GlobSyntax.shorten(value));
        }
    }

    private void include(Origin origin, String name, IncludeScope scope) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("expected a file name after include");
        }
        Path target;
        IncludeScope inner;
        switch (scope) {
            case IncludeScope.Forbidden f -> throw new IllegalArgumentException(
                    "include is not available here: this text has no directory to include from");
            case IncludeScope.Relative r -> {
                target = r.base().resolve(name).toAbsolutePath().normalize();
                inner = IncludeScope.relativeTo(target.getParent());
            }
            case IncludeScope.Confined c -> {
                target = c.base().resolve(name).toAbsolutePath().normalize();
                inner = new IncludeScope.Confined(c.root(), target.getParent());
            }
        }
        readFile(target, Optional.of(origin), inner);
    }

    /** Reads and parses one file; {@code from} is the include line that named it, if any. */
    private void readFile(Path file, Optional<Origin> from, IncludeScope scope) {
        if (including.size() >= MAX_INCLUDE_DEPTH) {
            problemAt(from, file.toString(), "includes nest deeper than " + MAX_INCLUDE_DEPTH + " files");
            return;
        }
        Path real;
        String text;
        try {
            real = file.toRealPath();
            if (scope instanceof IncludeScope.Confined c && !real.startsWith(c.root().toRealPath())) {
                problemAt(from, file.toString(), "cannot include " + file + ": only files under " + c.root()
                        + " may be included here");
                return;
            }
            if (including.contains(real)) {
                List<String> chain = new ArrayList<>();
                including.descendingIterator().forEachRemaining(p -> chain.add(p.toString()));
                chain.add(real.toString());
                problemAt(from, file.toString(), "include cycle: " + String.join(" -> ", chain));
                return;
            }
            if (!Files.isRegularFile(real)) {
                problemAt(from, file.toString(), "cannot read " + file + ": not a regular file");
                return;
            }
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(real)))
                    .toString();
        } catch (CharacterCodingException e) {
            problemAt(from, file.toString(), "cannot read " + file + ": not UTF-8 text");
            return;
        } catch (IOException e) {
            problemAt(from, file.toString(), "cannot read " + file + ": " + describe(e));
            return;
        }
        including.push(real);
        try {
            lines(file.toString(), text, scope);
        } finally {
            including.pop();
        }
    }

    /** A problem at the include line that caused it, or at the file itself when there was none. */
    private void problemAt(Optional<Origin> from, String file, String message) {
        problem(from.orElseGet(() -> new Origin(file, 1)), message);
    }

    private static String describe(IOException e) {
        return switch (e) {
            case NoSuchFileException n -> "no such file or directory";
            case AccessDeniedException a -> "permission denied";
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }

    private static String spellings(Action[] actions) {
        return java.util.Arrays.stream(actions).map(Action::spelling).collect(Collectors.joining(", "));
    }
}
