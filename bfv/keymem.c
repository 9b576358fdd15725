/*
 * keymem.c - memory of key-switching keys (relinearization and Galois
 * keys): 2 MiB-aligned anonymous mappings with transparent huge pages,
 * populated in one system call, and a bounded process-wide cache of freed
 * mappings that the next key of the same size takes back.
 *
 * Why not malloc: a key is 2.6 MB at n = 8192 and 18.9 MB at n = 16384, a
 * Galois key set tens to hundreds of MB, each word written once right
 * after allocation.  Fresh 4 KiB pages cost a fault each, and on the
 * virtual machines this project measures on (doc/benchmarks.md, bfv) a
 * fault costs several microseconds: the power-of-two key set at n = 8192
 * spent more time in the kernel than in arithmetic.  Huge pages, populated
 * at once (MADV_POPULATE_WRITE, Linux 5.14), cut that by 3x.
 *
 * Why the cache: a mapping handed back to the kernel comes back zeroed
 * and cold (the kernel clears every page again, the first store to each
 * page faults in the hypervisor's tables, and freed huge pages may be
 * returned to the host), so a program that frees a key set and makes
 * another (a server, one key set per client; veil-bench) would pay all of
 * that per key.  Freed mappings are kept, most recent first, up to
 * BFV_KEYMEM_CACHE_BYTES (32 MiB) in all; the oldest are unmapped beyond
 * that.  The bound is what a server keeps beyond its live keys (test/mpc/
 * soak.sh allows less than two clients' key uploads of growth between
 * rounds); it holds one key of n = 16384 or twelve of n = 8192.  An
 * allocation takes a cached mapping of exactly its size (keys of one
 * context all have one size), else maps a new one.  Key-switching keys
 * are public (they are sent to the evaluator), so reused memory needs no
 * wiping; every user writes all of a key before reading it.
 *
 * Either madvise may be refused (older kernels, THP disabled): the pages
 * then fault in as usual.  A 64-byte header at the start of the mapping
 * holds its length for the unmap.  The cache is guarded by one mutex,
 * taken only in alloc and free (never in a loop over rows).
 */
#include "bfv_internal.h"
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define KEYMEM_HUGE ((size_t)2 << 20)
#define KEYMEM_PAGE ((size_t)4096)
#define KEYMEM_HEADER 64
#define KEYMEM_SLOTS 64
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static struct {
    pthread_mutex_t lock;
    size_t count, bytes;         /* cached mappings, their total length */
    uint8_t *base[KEYMEM_SLOTS]; /* most recently freed first */
    size_t total[KEYMEM_SLOTS];
} cache = {PTHREAD_MUTEX_INITIALIZER, 0, 0, {NULL}, {0}};

/* Mapping length for a key of `bytes` bytes: header + data, whole pages;
 * 0 if that overflows. */
static size_t map_length(size_t bytes)
{
    if (bytes > SIZE_MAX / 2 - KEYMEM_HUGE - KEYMEM_PAGE)
        return 0;
    return (KEYMEM_HEADER + bytes + KEYMEM_PAGE - 1) & ~(KEYMEM_PAGE - 1);
}

/* A new mapping of total bytes starting on a 2 MiB boundary. */
static uint8_t *map_new(size_t total)
{
    const size_t span = total + KEYMEM_HUGE;
    uint8_t *map, *base;

    map = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
               -1, 0);
    if (map == MAP_FAILED)
        return NULL;
    base = (uint8_t *)(((uintptr_t)map + KEYMEM_HUGE - 1) & ~(KEYMEM_HUGE - 1));
    /* keep [base, base + total): unmap the head and the tail */
    if (base > map)
        munmap(map, (size_t)(base - map));
    if (map + span > base + total)
        munmap(base + total, (size_t)(map + span - (base + total)));
#ifdef MADV_HUGEPAGE
    (void)madvise(base, total, MADV_HUGEPAGE);
#endif
    (void)madvise(base, total, MADV_POPULATE_WRITE);
    memcpy(base, &total, sizeof(total));
    return base;
}

/* Remove entry i of the cache (lock held). */
static void cache_take(size_t i)
{
    cache.bytes -= cache.total[i];
    memmove(cache.base + i, cache.base + i + 1,
            (cache.count - i - 1) * sizeof(cache.base[0]));
    memmove(cache.total + i, cache.total + i + 1,
            (cache.count - i - 1) * sizeof(cache.total[0]));
    cache.count--;
}

uint64_t *bfv_keymem_alloc(size_t bytes)
{
    const size_t total = map_length(bytes);
    uint8_t *base = NULL;

    if (total == 0)
        return NULL;
    pthread_mutex_lock(&cache.lock);
    for (size_t i = 0; i < cache.count; i++) {
        if (cache.total[i] == total) {
            base = cache.base[i];
            cache_take(i);
            break;
        }
    }
    pthread_mutex_unlock(&cache.lock);
    if (base == NULL)
        base = map_new(total);
    return base != NULL ? (uint64_t *)(base + KEYMEM_HEADER) : NULL;
}

void bfv_keymem_free(uint64_t *data)
{
    uint8_t *base, *evict[KEYMEM_SLOTS + 1];
    size_t total, evict_total[KEYMEM_SLOTS + 1], ne = 0;

    if (data == NULL)
        return;
    base = (uint8_t *)data - KEYMEM_HEADER;
    memcpy(&total, base, sizeof(total));
    pthread_mutex_lock(&cache.lock);
    if (total <= BFV_KEYMEM_CACHE_BYTES) {
        /* push at the front, then drop the oldest beyond the bounds */
        if (cache.count == KEYMEM_SLOTS) {
            evict[ne] = cache.base[cache.count - 1];
            evict_total[ne++] = cache.total[cache.count - 1];
            cache_take(cache.count - 1);
        }
        memmove(cache.base + 1, cache.base,
                cache.count * sizeof(cache.base[0]));
        memmove(cache.total + 1, cache.total,
                cache.count * sizeof(cache.total[0]));
        cache.base[0] = base;
        cache.total[0] = total;
        cache.count++;
        cache.bytes += total;
        while (cache.bytes > BFV_KEYMEM_CACHE_BYTES) {
            evict[ne] = cache.base[cache.count - 1];
            evict_total[ne++] = cache.total[cache.count - 1];
            cache_take(cache.count - 1);
        }
    } else {
        evict[ne] = base;
        evict_total[ne++] = total;
    }
    pthread_mutex_unlock(&cache.lock);
    for (size_t i = 0; i < ne; i++)
        munmap(evict[i], evict_total[i]);
}

size_t bfv_keymem_cached_bytes(void)
{
    size_t b;
    pthread_mutex_lock(&cache.lock);
    b = cache.bytes;
    pthread_mutex_unlock(&cache.lock);
    return b;
}

void bfv_keymem_trim(void)
{
    pthread_mutex_lock(&cache.lock);
    while (cache.count > 0) {
        uint8_t *base = cache.base[cache.count - 1];
        size_t total = cache.total[cache.count - 1];
        cache_take(cache.count - 1);
        munmap(base, total);
    }
    pthread_mutex_unlock(&cache.lock);
}
