package io.jsyd.oci.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * runc's global {@code --rootless}: whether to treat cgroup permission errors as
 * expected. "auto" decides from the caller's privileges when a command needs it.
 */
public enum Rootless {
    TRUE, FALSE, AUTO;

    /** "auto", or any boolean spelling Go's strconv.ParseBool accepts (runc parses it so). */
    static final class Converter implements ITypeConverter<Rootless> {
        @Override
        public Rootless convert(String value) {
            if (value.equals("auto")) {
                return AUTO;
            }
            Boolean b = GoFlags.parseBool(value);
            if (b == null) {
                throw new TypeConversionException("expected 'true', 'false' or 'auto', got '" + value + "'");
            }
            return b ? TRUE : FALSE;
        }
    }
}
