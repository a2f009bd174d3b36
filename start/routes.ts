import router from '@adonisjs/core/services/router'

router.get('/', async ({ view }) => view.render('pages/home'))
