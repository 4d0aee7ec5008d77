package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md's key tables name every key of {@link ConfigKeys} and no other, so the reference cannot
 * drift from what berth reads.
 */
class ConfigurationDocTest {
    private static final Path DOC = Path.of(System.getProperty("basedir", "."), "docs", "configuration.md");
    private static final String TABLE_HEADER = "| key | default | meaning |";
    private static final Pattern KEY_CELL = Pattern.compile("^\\| `([^`]+)` \\|");

    @Test
    void everyKeyIsDocumentedAndEveryDocumentedKeyExists() throws IOException {
        Set<String> known = new TreeSet<>();
        for (ConfigKey key : ConfigKeys.ALL) {
            known.add(asDocumented(key.toString()));
        }
        Set<String> documented = new TreeSet<>(documentedKeys());

        Set<String> undocumented = new TreeSet<>(known);
        undocumented.removeAll(documented);
        Set<String> unknown = new TreeSet<>(documented);
        unknown.removeAll(known);
        assertAll(
                () -> assertEquals(Set.of(), undocumented, "keys of ConfigKeys that " + DOC + " does not document"),
                () -> assertEquals(Set.of(), unknown, "keys " + DOC + " documents that ConfigKeys does not know"));
    }

    @Test
    void theDocumentedNotationFollowsTheKeyList() {
        assertEquals("mirror.upstreams[].tag-ttl", asDocumented("mirror.upstreams.#.tag-ttl"));
        assertEquals("private.repositories", asDocumented("private.repositories.#"));
        assertEquals("mirror.sync[].tags", asDocumented("mirror.sync.#.tags.#"));
        assertEquals("auth.groups.<name>", asDocumented("auth.groups.*.#"));
        assertEquals("server.port", asDocumented("server.port"));
    }

    /**
     * How the reference writes a key: a list's entries as {@code []}, a list of values by its name alone, a name
     * the operator chooses as {@code <name>}.
     */
    static String asDocumented(String key) {
        return key.replaceAll("\\.#$", "").replace(".#.", "[].").replace(".*", ".<name>");
    }

    /** The first cell of every row of the tables headed {@code | key | default | meaning |}, one key a row. */
    private static List<String> documentedKeys() throws IOException {
        List<String> keys = new ArrayList<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(DOC)) {
            if (line.equals(TABLE_HEADER)) {
                inTable = true;
            } else if (!line.startsWith("|")) {
                inTable = false;
            } else if (inTable && !line.startsWith("| ---")) {
                Matcher cell = KEY_CELL.matcher(line);
                if (!cell.find()) {
                    throw new AssertionError("a row of the key table without one key in its first cell: " + line);
                }
                keys.add(cell.group(1));
            }
        }
        assertFalse(keys.isEmpty(), "no table headed '" + TABLE_HEADER + "' in " + DOC);
        return keys;
    }
}
