package io.jsyd.oci.convert;

import io.jsyd.oci.InvalidPolicyException;
import io.jsyd.oci.spec.model.Spec;
import io.jsyd.runtime.policy.IncludeScope;
import io.jsyd.runtime.policy.Origin;
import io.jsyd.runtime.policy.Policy;
import io.jsyd.runtime.policy.PolicyException;
import io.jsyd.runtime.policy.PolicyParser;
import io.jsyd.runtime.policy.PolicyProblem;
import io.jsyd.runtime.policy.PolicyText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a container's sandbox policy comes from. The texts below are applied in
 * this order, each on top of the ones before (later rules win, {@code -} removes
 * earlier ones), and a {@code lock:on} in any of them makes every later line an
 * error, so an administrator's profile that ends in {@code lock:on} cannot be
 * loosened by the container's own annotations:
 * <ol>
 *   <li>the host profile: {@code PROFILE_DIR/HOSTNAME.jsyd}, or if there is none
 *       {@code PROFILE_DIR/DOMAINNAME.jsyd}, with the config's hostname and
 *       domainname (as syd-oci looks them up);
 *   <li>the profiles named in the annotation {@value #PROFILE_ANNOTATION}, a
 *       comma-separated list of names, each {@code PROFILE_DIR/NAME.jsyd};
 *   <li>{@code --policy FILE} on the command line;
 *   <li>the annotation {@value #POLICY_ANNOTATION}: policy text, one command a
 *       line, exactly as in a file; its {@code include} lines may only name files
 *       under PROFILE_DIR;
 *   <li>the annotation {@value #TIMEOUT_ANNOTATION}: a duration, the same as a
 *       {@code timeout:} line ({@code 30s}, {@code 5m}, {@code 1h30m}).
 * </ol>
 * Files (profiles, {@code --policy}) are the host administrator's and include what
 * they like, relative to themselves. PROFILE_DIR is {@value #DEFAULT_PROFILE_DIR}
 * unless the caller says otherwise.
 */
public final class PolicySource {
    public static final String POLICY_ANNOTATION = "org.jsyd.policy";
    public static final String PROFILE_ANNOTATION = "org.jsyd.profile";
    public static final String TIMEOUT_ANNOTATION = "org.jsyd.timeout";
    public static final String DEFAULT_PROFILE_DIR = "/etc/jsyd/oci";
    public static final String PROFILE_SUFFIX = ".jsyd";

    /** A name that is one file in the profile directory: no slash, no leading dot. */
    private static final Pattern PROFILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

    /** What the policy is assembled from. */
    public record Inputs(Path configFile, Map<String, String> annotations, Optional<String> hostname,
            Optional<String> domainname, Optional<Path> policyFile, Path profileDir) {
        public Inputs {
            annotations = Map.copyOf(annotations);
        }

        public static Inputs of(Spec spec, Path configFile, Optional<Path> policyFile, Path profileDir) {
            return new Inputs(configFile, spec.getAnnotations() == null ? Map.of() : spec.getAnnotations(),
                    Optional.ofNullable(spec.getHostname()), Optional.ofNullable(spec.getDomainname()),
                    policyFile, profileDir);
        }
    }

    /** One text that goes into the policy, in the order they are applied. */
    public sealed interface Piece {
        /** Found by the container's hostname or domainname. */
        record HostProfile(Path file) implements Piece {
        }

        /** Named in {@value PolicySource#PROFILE_ANNOTATION}. */
        record NamedProfile(String name, Path file) implements Piece {
        }

        /** {@code --policy FILE}. */
        record PolicyFile(Path file) implements Piece {
        }

        /** Policy text in an annotation (the timeout annotation becomes a {@code timeout:} line). */
        record Annotation(String key, String text) implements Piece {
        }
    }

    private PolicySource() {
    }

    /** The pieces these inputs name, in order; a bad profile list or timeout value is an error. */
    public static List<Piece> pieces(Inputs in) throws InvalidPolicyException {
        List<Piece> pieces = new ArrayList<>();
        List<PolicyProblem> problems = new ArrayList<>();
        hostProfile(in).ifPresent(pieces::add);
        String profiles = in.annotations().get(PROFILE_ANNOTATION);
        if (profiles != null) {
            for (String raw : profiles.split(",", -1)) {
                String name = raw.strip();
                Path file = in.profileDir().resolve(name + PROFILE_SUFFIX);
                if (!PROFILE_NAME.matcher(name).matches()) {
                    problems.add(new PolicyProblem(origin(in, PROFILE_ANNOTATION), "expected profile names"
                            + " (letters, digits, '.', '_', '-'; not starting with '.'), separated by commas, got '"
                            + shorten(name) + "'"));
                } else if (!Files.isRegularFile(file)) {
                    problems.add(new PolicyProblem(origin(in, PROFILE_ANNOTATION), "no profile '" + name + "': "
                            + file + " does not exist"));
                } else {
                    pieces.add(new Piece.NamedProfile(name, file));
                }
            }
        }
        in.policyFile().ifPresent(f -> pieces.add(new Piece.PolicyFile(f)));
        String text = in.annotations().get(POLICY_ANNOTATION);
        if (text != null) {
            pieces.add(new Piece.Annotation(POLICY_ANNOTATION, text));
        }
        String timeout = in.annotations().get(TIMEOUT_ANNOTATION);
        if (timeout != null) {
            String value = timeout.strip();
            if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
                // One value, not policy text: a newline would smuggle in more commands.
                problems.add(new PolicyProblem(origin(in, TIMEOUT_ANNOTATION),
                        "expected one duration such as 30s or 1h30m, got several lines"));
            } else {
                pieces.add(new Piece.Annotation(TIMEOUT_ANNOTATION, "timeout:" + value));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidPolicyException(problems);
        }
        return List.copyOf(pieces);
    }

    /**
     * The container's policy, or empty when nothing asks for one (no profile, no
     * {@code --policy}, no annotation): such a container runs without supervision.
     */
    public static Optional<Policy> load(Inputs in) throws InvalidPolicyException {
        List<Piece> pieces = pieces(in);
        if (pieces.isEmpty()) {
            return Optional.empty();
        }
        PolicyParser parser = new PolicyParser();
        for (Piece piece : pieces) {
            switch (piece) {
                case Piece.HostProfile p -> parser.addFile(p.file());
                case Piece.NamedProfile p -> parser.addFile(p.file());
                case Piece.PolicyFile p -> parser.addFile(p.file());
                case Piece.Annotation a -> parser.add(new PolicyText(source(in, a.key()), a.text(),
                        a.key().equals(POLICY_ANNOTATION) ? IncludeScope.confinedTo(in.profileDir())
                                : IncludeScope.forbidden()));
            }
        }
        try {
            return Optional.of(parser.build());
        } catch (PolicyException e) {
            throw new InvalidPolicyException(e.problems());
        }
    }

    private static Optional<Piece> hostProfile(Inputs in) {
        for (Optional<String> name : List.of(in.hostname(), in.domainname())) {
            if (name.isPresent() && PROFILE_NAME.matcher(name.get()).matches()) {
                Path file = in.profileDir().resolve(name.get() + PROFILE_SUFFIX);
                if (Files.isRegularFile(file)) {
                    return Optional.of(new Piece.HostProfile(file));
                }
            }
        }
        return Optional.empty();
    }

    /** How messages and decision logs name an annotation: its key and the config file it is in. */
    static String source(Inputs in, String key) {
        return "annotation " + key + " in " + in.configFile();
    }

    private static Origin origin(Inputs in, String key) {
        return new Origin(source(in, key), 1);
    }

    private static String shorten(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
