/*
 * Intrusive circular doubly linked lists: a node lives inside the object it
 * links, and removal from the middle is O(1).  The head is a node of its own
 * that points at itself when the list is empty.
 */
#ifndef LIB_LIST_H
#define LIB_LIST_H

#include "lib/compiler.h"

struct list_node {
	struct list_node *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }

static inline void list_init(struct list_node *head)
{
	head->next = head->prev = head;
}

static inline bool list_empty(const struct list_node *head)
{
	return head->next == head;
}

static inline void __list_insert(struct list_node *n, struct list_node *prev,
				 struct list_node *next)
{
	n->next = next;
	n->prev = prev;
	prev->next = n;
	next->prev = n;
}

/* Inserts n right after head (a stack push). */
static inline void list_add(struct list_node *n, struct list_node *head)
{
	__list_insert(n, head, head->next);
}

/* Inserts n before head, at the end of the list (a queue append). */
static inline void list_add_tail(struct list_node *n, struct list_node *head)
{
	__list_insert(n, head->prev, head);
}

/* Takes n off its list, leaving n's own links as they were (for a
 * caller whose other state says n is off every list). */
static inline void __list_unlink(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
}

static inline void list_del(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = NULL;
}

static inline void list_move(struct list_node *n, struct list_node *head)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	list_add(n, head);
}

#define list_entry(node, type, member) container_of(node, type, member)
#define list_first_entry(head, type, member) \
	container_of((head)->next, type, member)

#define list_for_each(pos, head) \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

#endif
