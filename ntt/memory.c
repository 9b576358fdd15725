/* memory.c - aligned allocation and secret wiping. */
#include "veil/veil.h"
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define VEIL_ALIGN 64

void veil_memzero(void *p, size_t len)
{
    if (p != NULL && len > 0)
        sodium_memzero(p, len);
}

void *veil_alloc(size_t len)
{
    void *p = NULL;
    if (len == 0)
        return NULL;
    /* Round up so that aligned_alloc's size rule (a multiple of the
     * alignment) holds. */
    if (len > SIZE_MAX - (VEIL_ALIGN - 1))
        return NULL;
    len = (len + VEIL_ALIGN - 1) & ~(size_t)(VEIL_ALIGN - 1);
    p = aligned_alloc(VEIL_ALIGN, len);
    return p;
}

void *veil_calloc(size_t count, size_t size)
{
    void *p;
    if (count == 0 || size == 0 || count > SIZE_MAX / size)
        return NULL;
    p = veil_alloc(count * size);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

void veil_free(void *p)
{
    free(p);
}

void veil_free_secret(void *p, size_t len)
{
    if (p == NULL)
        return;
    veil_memzero(p, len);
    free(p);
}
