/*
 * scratch.c - per-thread work areas reused from one evaluator call to the
 * next.  A key switch or a product needs megabytes of temporary rows; with
 * malloc and free around every call, glibc returns such blocks to the
 * kernel and maps fresh zero pages for the next call, and the page faults
 * cost as much as the arithmetic (a hoisted rotation spent 17% of its time
 * in them).  Each thread instead keeps one area per slot, grown on demand
 * and freed when the thread exits.
 *
 * Rules: an area belongs to the calling thread; a function takes its slot
 * on entry and must not call another function that takes the same slot
 * while it uses the area (the slots of bfv_internal.h are assigned so that
 * none nests in itself).  Areas holding secret-dependent values are wiped
 * by their user before returning (veil_memzero).
 */
#include "bfv_internal.h"
#include <pthread.h>
#include <string.h>

typedef struct {
    uint64_t *p[BFV_SCRATCH_SLOTS];
    size_t words[BFV_SCRATCH_SLOTS];
} scratch_t;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static int scratch_ok; /* pthread_key_create succeeded */

static void scratch_free(void *arg)
{
    scratch_t *s = arg;
    for (size_t i = 0; i < BFV_SCRATCH_SLOTS; i++)
        veil_free(s->p[i]);
    veil_free(s);
}

static void scratch_key_init(void)
{
    scratch_ok = pthread_key_create(&scratch_key, scratch_free) == 0;
}

uint64_t *bfv_scratch(bfv_scratch_slot slot, size_t words)
{
    scratch_t *s;
    if (pthread_once(&scratch_once, scratch_key_init) != 0 || !scratch_ok)
        return NULL;
    s = pthread_getspecific(scratch_key);
    if (s == NULL) {
        s = veil_calloc(1, sizeof(*s));
        if (s == NULL)
            return NULL;
        if (pthread_setspecific(scratch_key, s) != 0) {
            veil_free(s);
            return NULL;
        }
    }
    if (s->words[slot] < words) {
        veil_free(s->p[slot]);
        s->p[slot] = veil_alloc(words * sizeof(uint64_t));
        s->words[slot] = s->p[slot] != NULL ? words : 0;
    }
    return s->p[slot];
}
