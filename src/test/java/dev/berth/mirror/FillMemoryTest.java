package dev.berth.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link FillMemory}: chunks up to the total, then spares taken from lenders, or waited for. */
@Timeout(30)
class FillMemoryTest {
    @Test
    void pastTheTotalATakerGetsALendersSpareChunk() throws Exception {
        FillMemory memory = new FillMemory(16, 2);
        byte[] first = memory.take();
        byte[] second = memory.take();
        assertNull(memory.tryTake(), "all in use");

        Deque<byte[]> spares = new ArrayDeque<>();
        FillMemory.Spares lender = spares::poll;
        memory.lend(lender);
        spares.add(first);
        assertSame(first, memory.take(), "the lender's spare, now the taker's");
        assertEquals(2, memory.inUse());
        memory.stopLending(lender);
        memory.give(first);
        memory.give(second);
        assertEquals(0, memory.inUse());
    }

    @Test
    void aTakerWithNoSpareInSightWaitsForAChunkGivenBack() throws Exception {
        FillMemory memory = new FillMemory(16, 1);
        byte[] held = memory.take();
        CompletableFuture<byte[]> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return memory.take();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        memory.give(held);
        assertEquals(16, waiting.get(10, TimeUnit.SECONDS).length);
        assertEquals(1, memory.inUse());
    }

    @Test
    void aTakerWaitingWakesWhenALenderOffersASpareChunk() throws Exception {
        FillMemory memory = new FillMemory(16, 1);
        byte[] held = memory.take();
        Deque<byte[]> spares = new ConcurrentLinkedDeque<>();
        memory.lend(spares::poll);
        CompletableFuture<byte[]> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return memory.take();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!memory.hasTakersWaiting() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(memory.hasTakersWaiting(), "the taker waits, with every chunk in use and none to spare");
        spares.add(held);
        memory.offered();
        assertSame(held, waiting.get(10, TimeUnit.SECONDS), "the spare, offered while the taker waited");
        assertEquals(1, memory.inUse());
    }
}
