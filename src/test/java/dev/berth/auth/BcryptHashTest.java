package dev.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BcryptHashTest {
    private static final byte[] PASSWORD = "correct horse".getBytes(StandardCharsets.UTF_8);

    @Test
    void newHashesAre2yAtCost10() {
        BcryptHash hash = BcryptHash.of(PASSWORD);
        assertTrue(hash.encoded().startsWith("$2y$10$"), hash.toString());
        assertEquals(10, hash.cost());
        assertTrue(hash.matches(PASSWORD));
        assertFalse(hash.matches("correct horse ".getBytes(StandardCharsets.UTF_8)));
        assertEquals(hash.encoded(), BcryptHash.parse(hash.encoded()).orElseThrow().encoded());
    }

    @Test
    void readsTheBcryptVariantsHtpasswdAndOthersWrite() {
        for (BCrypt.Version version : List.of(BCrypt.Version.VERSION_2A, BCrypt.Version.VERSION_2B,
                BCrypt.Version.VERSION_2Y)) {
            String encoded = BCrypt.with(version).hashToString(4, "pw".toCharArray());
            BcryptHash hash = BcryptHash.parse(encoded).orElseThrow(() -> new AssertionError(encoded));
            assertTrue(hash.matches("pw".getBytes(StandardCharsets.UTF_8)), encoded);
        }
    }

    @Test
    void refusesWhatIsNotBcryptOrTooCostly() {
        String good = BcryptHash.of(PASSWORD, 4).encoded();
        for (String bad : List.of("", "pw", "$apr1$4ZzipK/t$8a/PGBunHKI0Agb6f.yov0",
                "{SHA}UWuXg/ylF+7L0dBk2i0WUxCxl1k=",
                good.replace("$2y$", "$2x$"), good.replace("$04$", "$03$"), good.replace("$04$", "$18$"),
                good.substring(0, good.length() - 1), good + "x", good + " ")) {
            assertTrue(BcryptHash.parse(bad).isEmpty(), bad);
        }
    }

    @Test
    void printsWithoutTheHash() {
        BcryptHash hash = BcryptHash.of(PASSWORD, 4);
        assertEquals("BcryptHash[cost 4]", hash.toString());
    }
}
